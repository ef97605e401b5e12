"""Contract lint: the deck's design pitfalls, shown while editing and enforced on signing.

Errors block signing:
- section weights not totalling 100 (the sections of the contract, and the lines of each section)
- a line without a target, a scoring rule or a data source
- the appraiser is the appraisee (no one appraises themselves)
- the appraiser is not in the appraisee's management chain (unless HR assigned them explicitly)

- a line due outside the contract's period (SMART: time-bound)
- the same indicator in another of the appraisee's contracts whose period overlaps this one (the same
  work appraised twice, e.g. a monthly and a quarterly contract after a change of job level)

Warnings are shown and recorded at signing:
- the same indicator twice in one contract (appraising the same work twice)
- a contract that differs from the other contracts of the same job level and template
- a line with no link to any goal of the cascade (SMART: relevant)
- SMART: a rule-scored line that says neither what is measured (a definition, formula or standard) nor
  in which unit (specific, measurable); a target far from last period's agreed target for the same
  indicator (attainable: outside the range in ``settings.CONTRACT_LINT["target_range"]``)
- a results line weight above the cap or below the floor of ``settings.CONTRACT_LINT`` (one line should neither
  decide the whole score nor be too small to matter); a ratio rule without a cap on its score
- the appraisee's own department provides the actual value of a line (self-appraisal through the data
  source role)

``lint_contract`` also runs on unsaved lines (the editor's live check), so it reads only what the
contract and the lines passed in carry, plus one query for the peers.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from apps.core.periods import MONTHS_PER, Period

from .models import SECTION_ORDER, Contract, ContractLine, Section, Status
from .scoring import RATIO_KINDS, ScoringError, validate_rule

ERROR, WARNING = "error", "warning"
HUNDRED = Decimal(100)

#: HR's target-setting limits (override in settings.CONTRACT_LINT): line weights in percent of their
#: section, and the range of a new target as a share of last period's agreed target (percent).
LINT_DEFAULTS = {"max_line_weight": Decimal(60), "min_line_weight": Decimal(5),
                 "target_range": (Decimal(50), Decimal(200))}


def lint_settings() -> dict:
    conf = dict(LINT_DEFAULTS)
    conf.update(getattr(settings, "CONTRACT_LINT", {}) or {})
    return conf


@dataclass(frozen=True)
class LintIssue:
    level: str
    code: str
    message: str
    line: int | None = None  # 1-based number of the line as shown, or None for the whole contract

    def as_dict(self) -> dict:
        return asdict(self)


def _pct(d: Decimal) -> str:
    return format((d if isinstance(d, Decimal) else Decimal(str(d))).normalize() + 0, "f")


def _section_label(section: str) -> str:
    return str(Section(section).label)


def _line_label(number: int, line) -> str:
    title = line.display_title or _("(untitled)")
    return _("Line %(n)s “%(title)s”") % {"n": number, "title": title}


def ordered_lines(lines) -> list:
    order = {s.value: i for i, s in enumerate(SECTION_ORDER)}
    return sorted(lines, key=lambda ln: (order.get(ln.section, 9), ln.order, ln.pk or 0))


def _weights(contract: Contract, lines: list) -> list[LintIssue]:
    issues = []
    total = sum((contract.section_weight(s) or Decimal(0) for s in SECTION_ORDER), Decimal(0))
    if total != HUNDRED:
        issues.append(LintIssue(ERROR, "section_weights", _(
            "The section weights total %(total)s%%; they must total 100%%.") % {"total": _pct(total)}))
    for section in SECTION_ORDER:
        in_section = [ln for ln in lines if ln.section == section]
        weight = contract.section_weight(section) or Decimal(0)
        if not in_section:
            if weight > 0:
                issues.append(LintIssue(ERROR, "section_empty", _(
                    "The section “%(section)s” has a weight of %(weight)s%% but no lines.")
                    % {"section": _section_label(section), "weight": _pct(weight)}))
            continue
        line_total = sum((ln.weight or Decimal(0) for ln in in_section), Decimal(0))
        if line_total != HUNDRED:
            issues.append(LintIssue(ERROR, "line_weights", _(
                "The line weights of the section “%(section)s” total %(total)s%%; they must total 100%%.")
                % {"section": _section_label(section), "total": _pct(line_total)}))
    return issues


def _line_issues(number: int, line) -> list[LintIssue]:
    issues = []
    label = _line_label(number, line)
    rule = line.rule if isinstance(line.rule, dict) and line.rule else None
    kind = None
    if rule is None:
        issues.append(LintIssue(ERROR, "missing_rule", _("%(line)s has no scoring rule.") % {"line": label},
                                number))
    else:
        try:
            kind = validate_rule(rule)["kind"]
        except ScoringError as exc:
            issues.append(LintIssue(ERROR, "invalid_rule", _("%(line)s: the scoring rule is invalid: %(error)s")
                                    % {"line": label, "error": exc.message}, number))
    if kind in RATIO_KINDS or kind is None:
        if line.target is None or line.target <= 0:
            issues.append(LintIssue(ERROR, "missing_target", _(
                "%(line)s has no target (a number greater than 0).") % {"line": label}, number))
    elif kind == "deadline":
        if line.due_date is None:
            issues.append(LintIssue(ERROR, "missing_target", _("%(line)s has no due date.") % {"line": label},
                                    number))
    elif kind == "milestones":
        if not line.milestones_total:
            issues.append(LintIssue(ERROR, "missing_target", _(
                "%(line)s has no number of milestones.") % {"line": label}, number))
    elif kind == "direct" and not (line.standard or "").strip():
        issues.append(LintIssue(ERROR, "missing_target", _(
            "%(line)s has no standard: describe what is expected.") % {"line": label}, number))
    # A directly rated line (behaviour, CPI) is rated by the appraiser: the appraiser is its source.
    if kind != "direct" and not line.data_source_id:
        issues.append(LintIssue(ERROR, "missing_data_source", _(
            "%(line)s has no data source (the department that provides the actual value).")
            % {"line": label}, number))
    return issues


def _parties(contract: Contract) -> list[LintIssue]:
    emp, appr = contract.employee, contract.appraiser
    if appr is None:
        return [LintIssue(ERROR, "no_appraiser", _("The contract has no appraiser (发约人)."))]
    if appr.pk == emp.pk:
        return [LintIssue(ERROR, "self_appraisal", _(
            "%(name)s would appraise themselves: no one appraises themselves.") % {"name": emp.name})]
    in_chain = bool(appr.report_path) and emp.report_path.startswith(appr.report_path)
    if not in_chain and not contract.appraiser_assigned_by_hr:
        return [LintIssue(ERROR, "appraiser_not_in_chain", _(
            "The appraiser %(appraiser)s is not in %(name)s's management chain; only HR may assign an "
            "appraiser from outside it.") % {"appraiser": appr.name, "name": emp.name})]
    return []


def _duplicates(lines: list) -> list[LintIssue]:
    seen: dict[int, int] = {}
    issues = []
    for number, line in enumerate(lines, start=1):
        if not line.indicator_id:
            continue
        if line.indicator_id in seen:
            issues.append(LintIssue(WARNING, "duplicate_indicator", _(
                "%(line)s measures the same indicator as line %(first)s: the same work would be appraised "
                "twice.") % {"line": _line_label(number, line), "first": seen[line.indicator_id]}, number))
        else:
            seen[line.indicator_id] = number
    return issues


def _key(section, indicator_id, title) -> tuple:
    return (section, f"i{indicator_id}" if indicator_id else f"t{(title or '').strip().lower()}")


def _peer_differences(contract: Contract, lines: list) -> list[LintIssue]:
    """Compare with the other (latest) contracts of the same job level, template and period: the same
    indicators (results and behaviour) with the same weights."""
    if not contract.job_level_id or not contract.template_id:
        return []
    rows = (ContractLine.objects
            .filter(contract__job_level_id=contract.job_level_id, contract__template_id=contract.template_id,
                    contract__period=contract.period, contract__is_latest=True)
            .exclude(contract__employee_id=contract.employee_id).exclude(section=Section.PLAN)
            .values_list("contract_id", "section", "indicator_id", "indicator__name_zh", "indicator__name_en",
                         "title", "weight"))
    peers: dict[int, dict] = {}
    names: dict[tuple, str] = {}
    english = (get_language() or "").startswith("en")
    for cid, section, ind, name_zh, name_en, title, weight in rows:
        key = _key(section, ind, title)
        peers.setdefault(cid, {})[key] = Decimal(weight).normalize()
        names[key] = title or ((name_en or name_zh) if english else (name_zh or name_en)) or ""
    if not peers:
        return []
    signatures = Counter(frozenset(p.items()) for p in peers.values())
    common, _count = signatures.most_common(1)[0]
    common = dict(common)
    mine = {}
    for ln in lines:
        if ln.section == Section.PLAN:
            continue  # the month's work plan is personal; consistency is about the level's indicators
        key = _key(ln.section, ln.indicator_id, ln.title if not ln.indicator_id else "")
        mine[key] = Decimal(ln.weight or 0).normalize()
        names.setdefault(key, ln.display_title)
    if mine == common:
        return []
    missing = [names[k] for k in common if k not in mine]
    extra = [names[k] for k in mine if k not in common]
    weights = [names[k] for k in mine if k in common and mine[k] != common[k]]
    parts = []
    if missing:
        parts.append(_("missing: %(items)s") % {"items": "、".join(missing)})
    if extra:
        parts.append(_("in addition: %(items)s") % {"items": "、".join(extra)})
    if weights:
        parts.append(_("other weights: %(items)s") % {"items": "、".join(weights)})
    return [LintIssue(WARNING, "differs_from_peers", _(
        "This contract differs from the other contracts of the same job level and template "
        "(%(count)s of them): %(details)s. Positions of the same level should be appraised consistently.")
        % {"count": len(peers), "details": "; ".join(parts)})]


def _goal_links(lines: list) -> list[LintIssue]:
    issues = []
    for number, line in enumerate(lines, start=1):
        if line.section == Section.BEHAVIOUR:
            continue  # behaviour is rated against the company's values, not a goal
        if getattr(line, "goal_id", None) or getattr(line, "plan_item_id", None):
            continue
        issues.append(LintIssue(WARNING, "no_goal", _(
            "%(line)s is not linked to any goal of the cascade.") % {"line": _line_label(number, line)}, number))
    return issues


def _scored_by_rule(line) -> bool:
    return isinstance(line.rule, dict) and bool(line.rule) and line.rule.get("kind") != "direct"


def _smart(contract: Contract, lines: list) -> list[LintIssue]:
    """Specific, measurable, time-bound (attainable and relevant: ``_history``, ``_goal_links``)."""
    issues = []
    try:
        period = Period.parse(contract.period)
    except Exception:  # noqa: BLE001 - an invalid period is the model's error, not the lint's
        return []
    for number, line in enumerate(lines, start=1):
        label = _line_label(number, line)
        ind = line.indicator if line.indicator_id else None
        if _scored_by_rule(line):
            said = (line.standard or "").strip() or (ind and ((ind.definition or "").strip()
                                                               or (ind.formula or "").strip()))
            if not said:
                issues.append(LintIssue(WARNING, "not_specific", _(
                    "%(line)s is not specific: give a definition or formula in the library, or a standard on the "
                    "line, so both sides know what is measured.") % {"line": label}, number))
            if not ((line.unit or "").strip() or (ind and (ind.formula or "").strip())):
                issues.append(LintIssue(WARNING, "not_measurable", _(
                    "%(line)s is not measurable as written: give the unit of its target (%%, 万元, days...) or "
                    "the formula that calculates it.") % {"line": label}, number))
        if line.due_date and not period.contains(line.due_date):
            issues.append(LintIssue(ERROR, "due_outside_period", _(
                "%(line)s is due on %(due)s, outside the contract's period %(period)s (%(first)s to %(last)s): "
                "a target is time-bound to the period it is appraised in.")
                % {"line": label, "due": line.due_date.isoformat(), "period": period.code,
                   "first": period.start.isoformat(), "last": period.end.isoformat()}, number))
    return issues


def _caps(contract: Contract, lines: list) -> list[LintIssue]:
    conf = lint_settings()
    top, bottom = Decimal(conf["max_line_weight"]), Decimal(conf["min_line_weight"])
    issues = []
    for number, line in enumerate(lines, start=1):
        if line.section != Section.RESULTS or not (contract.section_weight(line.section) or 0):
            continue  # behaviour is rated as a whole; the work plan is the month's own items
        weight = line.weight or Decimal(0)
        label = _line_label(number, line)
        if weight > top:
            issues.append(LintIssue(WARNING, "weight_above_cap", _(
                "%(line)s weighs %(weight)s%% of its section, above the cap of %(cap)s%%: one indicator would "
                "decide the score alone.") % {"line": label, "weight": _pct(weight), "cap": _pct(top)}, number))
        elif 0 < weight < bottom:
            issues.append(LintIssue(WARNING, "weight_below_floor", _(
                "%(line)s weighs %(weight)s%% of its section, below %(floor)s%%: too small to matter; merge it "
                "or drop it.") % {"line": label, "weight": _pct(weight), "floor": _pct(bottom)}, number))
        rule = line.rule if isinstance(line.rule, dict) else {}
        if rule.get("kind") in RATIO_KINDS and "cap" in rule and rule.get("cap") in (None, ""):
            issues.append(LintIssue(WARNING, "score_uncapped", _(
                "%(line)s has no cap on its score: one outstanding line could outweigh all the others (the deck: "
                "at most 150 points).") % {"line": label}, number))
    return issues


def _self_source(contract: Contract, lines: list) -> list[LintIssue]:
    dept = contract.employee.department_id if contract.employee_id else None
    issues = []
    for number, line in enumerate(lines, start=1):
        if dept and line.data_source_id == dept and _scored_by_rule(line):
            issues.append(LintIssue(WARNING, "self_reported", _(
                "%(line)s takes its actual value from the appraisee's own department: they would supply the "
                "figure they are appraised on. Name an independent data source if there is one.")
                % {"line": _line_label(number, line)}, number))
    return issues


def _overlapping_codes(period: Period) -> set[str]:
    codes = set()
    for month in range(period.month_range[0], period.month_range[1] + 1):
        day = dt.date(period.year, month, 1)
        codes |= {Period.containing(freq, day).code for freq in MONTHS_PER}
    codes.discard(period.code)
    return codes


def _history(contract: Contract, lines: list) -> list[LintIssue]:
    """One query: the appraisee's other current contracts whose period overlaps this one (the same
    indicator there is double appraisal), and last period's agreed contract (attainable targets)."""
    if not contract.employee_id:
        return []
    try:
        period = Period.parse(contract.period)
    except Exception:  # noqa: BLE001
        return []
    overlapping = _overlapping_codes(period)
    previous = period.previous().code
    rows = (ContractLine.objects
            .filter(contract__employee_id=contract.employee_id, contract__is_latest=True,
                    contract__period__in=overlapping | {previous}, indicator__isnull=False)
            .exclude(contract__status=Status.SUPERSEDED)
            .values_list("contract__period", "contract__status", "indicator_id", "target"))
    elsewhere: dict[int, str] = {}
    last_target: dict[int, Decimal] = {}
    for code, status, indicator_id, target in rows:
        if code in overlapping:
            elsewhere.setdefault(indicator_id, code)
        if code == previous and status == Status.AGREED and target:
            last_target[indicator_id] = Decimal(target)
    low, high = (Decimal(x) for x in lint_settings()["target_range"])
    issues = []
    for number, line in enumerate(lines, start=1):
        if not line.indicator_id:
            continue
        label = _line_label(number, line)
        if line.indicator_id in elsewhere:
            issues.append(LintIssue(ERROR, "double_appraisal", _(
                "%(line)s is also appraised in the contract for %(other)s, which overlaps %(period)s: the same "
                "work would be appraised twice.")
                % {"line": label, "other": elsewhere[line.indicator_id], "period": period.code}, number))
        before = last_target.get(line.indicator_id)
        if before and line.target:
            share = Decimal(line.target) / before * HUNDRED
            if not (low <= share <= high):
                issues.append(LintIssue(WARNING, "not_attainable", _(
                    "%(line)s: the target %(target)s is %(share)s%% of last period's agreed target %(before)s, "
                    "outside the range HR set (%(low)s%% to %(high)s%%). Is it attainable, and still a stretch?")
                    % {"line": label, "target": _pct(Decimal(line.target)), "share": _pct(share.quantize(1)),
                       "before": _pct(before), "low": _pct(low), "high": _pct(high)}, number))
    return issues


def lint_contract(contract: Contract, lines=None, *, peers: bool = True) -> list[LintIssue]:
    """Every issue of the contract (errors first). ``lines`` defaults to the saved lines."""
    if lines is None:
        lines = list(contract.lines.select_related("indicator"))
    lines = ordered_lines(lines)
    issues = _weights(contract, lines)
    for number, line in enumerate(lines, start=1):
        issues += _line_issues(number, line)
    issues += _parties(contract)
    issues += _duplicates(lines)
    issues += _smart(contract, lines)
    issues += _caps(contract, lines)
    issues += _self_source(contract, lines)
    if peers:
        issues += _peer_differences(contract, lines)
        issues += _history(contract, lines)
    issues += _goal_links(lines)
    return sorted(issues, key=lambda i: 0 if i.level == ERROR else 1)


def errors(issues: list[LintIssue]) -> list[LintIssue]:
    return [i for i in issues if i.level == ERROR]


def warnings(issues: list[LintIssue]) -> list[LintIssue]:
    return [i for i in issues if i.level == WARNING]


def recorded_warnings(contract: Contract, lines) -> list[dict]:
    """The warnings as recorded at signing: code, line and the message in every language of the site,
    so that each reader sees them in their own language later."""
    records: list[dict] = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            found = warnings(lint_contract(contract, lines))
        for index, issue in enumerate(found):
            if index == len(records):
                records.append({"code": issue.code, "line": issue.line, "messages": {}})
            records[index]["messages"][code] = issue.message
    return records


def warning_text(record) -> str:
    """A recorded warning in the active language (older records may be plain text)."""
    if isinstance(record, str):
        return record
    messages = record.get("messages", {})
    lang = (get_language() or settings.LANGUAGE_CODE).lower()
    for code, text in messages.items():
        if lang.startswith(code.split("-")[0]):
            return text
    return next(iter(messages.values()), "")
