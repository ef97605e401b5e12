"""Contract lint: the deck's design pitfalls, shown while editing and enforced on signing.

Errors block signing:
- section weights not totalling 100 (the sections of the contract, and the lines of each section)
- a line without a target, a scoring rule or a data source
- the appraiser is the appraisee (no one appraises themselves)
- the appraiser is not in the appraisee's management chain (unless HR assigned them explicitly)

Warnings are shown and recorded at signing:
- the same indicator twice in one contract (appraising the same work twice)
- a contract that differs from the other contracts of the same job level and template
- a line with no link to any goal of the cascade

``lint_contract`` also runs on unsaved lines (the editor's live check), so it reads only what the
contract and the lines passed in carry, plus one query for the peers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from .models import SECTION_ORDER, Contract, ContractLine, Section
from .scoring import RATIO_KINDS, ScoringError, validate_rule

ERROR, WARNING = "error", "warning"
HUNDRED = Decimal(100)


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
    if peers:
        issues += _peer_differences(contract, lines)
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
