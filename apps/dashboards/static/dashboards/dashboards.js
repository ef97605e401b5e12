/* Charts of the dashboards (chart.js), drawn from the JSON the page embeds (#dashboard-data). */
(function () {
  "use strict";
  const el = document.getElementById("dashboard-data");
  if (!el || typeof Chart === "undefined") return;
  const data = JSON.parse(el.textContent);
  const lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  const zh = lang.startsWith("zh");
  const t = (zhText, enText) => (zh ? zhText : enText);
  const GRADE_COLOURS = { S: "#7c3aed", A: "#2563eb", B: "#16a34a", C: "#f59e0b", D: "#dc2626" };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  const num = (v) => (v === null || v === undefined ? null : Number(v));

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }

  if (data.histogram && data.histogram.length) {
    draw("chart-histogram", {
      type: "bar",
      data: {
        labels: data.histogram.map((b) => b.label),
        datasets: [{ label: t("人数", "People"), data: data.histogram.map((b) => b.count),
          backgroundColor: data.histogram.map((b) => (b.from >= 120 ? "#7c3aed" : b.from >= 105 ? "#2563eb" :
            b.from >= 90 ? "#16a34a" : b.from >= 75 ? "#f59e0b" : "#dc2626")),
          barPercentage: 1.0, categoryPercentage: 0.96 }],
      },
      options: { plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: t("总分", "Total score") } },
          y: { beginAtZero: true, title: { display: true, text: t("人数", "People") }, ticks: { precision: 0 } } } },
    });
  }

  if (data.grades && data.grades.length) {
    const datasets = [{ type: "bar", label: t("占比 %", "Share %"), data: data.grades.map((g) => g.percent),
      backgroundColor: data.grades.map((g) => GRADE_COLOURS[g.grade] || "#64748b") }];
    const markers = data.grades.some((g) => g.quota_max !== null || g.quota_min !== null);
    if (markers) {
      datasets.push({ type: "line", label: t("上限 %", "Quota: at most %"), data: data.grades.map((g) => num(g.quota_max)),
        borderColor: "#111827", backgroundColor: "#111827", showLine: false, pointStyle: "line", pointRadius: 18,
        pointBorderWidth: 3 });
      datasets.push({ type: "line", label: t("下限 %", "Quota: at least %"), data: data.grades.map((g) => num(g.quota_min)),
        borderColor: "#9ca3af", backgroundColor: "#9ca3af", showLine: false, pointStyle: "line", pointRadius: 18,
        pointBorderWidth: 3, borderDash: [4, 3] });
    }
    draw("chart-grades", {
      data: { labels: data.grades.map((g) => g.grade), datasets },
      options: { plugins: { legend: { display: markers },
        tooltip: { callbacks: { label: (ctx) => ctx.dataset.type === "bar"
          ? `${ctx.parsed.y}% (${data.grades[ctx.dataIndex].count} ${t("人", "people")})` : `${ctx.dataset.label}: ${ctx.parsed.y}` } } },
        scales: { y: { beginAtZero: true, suggestedMax: 60, ticks: { callback: (v) => `${v}%` } } } },
    });
  }

  if (data.trend && data.trend.length > 1) {
    const datasets = [{ label: data.trend[0].grade !== undefined ? t("总分", "Total score") : t("平均分", "Mean"),
      data: data.trend.map((p) => num(p.mean)), borderColor: "#2563eb", backgroundColor: "#2563eb",
      cubicInterpolationMode: "monotone",
      pointRadius: 4, spanGaps: true }];
    if (data.trend.some((p) => p.median !== undefined && p.median !== null)) {
      datasets.push({ label: t("中位数", "Median"), data: data.trend.map((p) => num(p.median)), borderColor: "#94a3b8",
        backgroundColor: "#94a3b8", borderDash: [5, 4], cubicInterpolationMode: "monotone", pointRadius: 2,
        spanGaps: true });
    }
    draw("chart-trend", {
      type: "line",
      data: { labels: data.trend.map((p) => p.label), datasets },
      options: { plugins: { legend: { display: datasets.length > 1 } }, scales: { y: { suggestedMin: 60, suggestedMax: 120 } } },
    });
  }

  if (data.goals && data.goals.perspectives && data.goals.perspectives.length) {
    const ps = data.goals.perspectives;
    draw("chart-goals", {
      data: {
        labels: ps.map((p) => p.label),
        datasets: [
          { type: "bar", label: t("平均进度 %", "Mean progress %"), data: ps.map((p) => num(p.mean_progress)),
            backgroundColor: ps.map((p) => (num(p.mean_progress) >= 0.9 * num(p.expected) ? "#16a34a" :
              num(p.mean_progress) >= 0.7 * num(p.expected) ? "#f59e0b" : "#dc2626")) },
          { type: "line", label: t("应有进度 %", "Expected by today %"), data: ps.map((p) => num(p.expected)),
            borderColor: "#111827", backgroundColor: "#111827", showLine: false, pointStyle: "line", pointRadius: 14,
            pointBorderWidth: 3 },
        ],
      },
      options: { indexAxis: "y", plugins: { legend: { display: true },
        tooltip: { callbacks: { afterLabel: (ctx) => ctx.dataset.type === "bar"
          ? t(`目标 ${ps[ctx.dataIndex].goals} 个，达成 ${ps[ctx.dataIndex].achieved} 个，按计划 ${ps[ctx.dataIndex].on_track_percent}%`,
              `${ps[ctx.dataIndex].goals} goals, ${ps[ctx.dataIndex].achieved} achieved, ${ps[ctx.dataIndex].on_track_percent}% on track`) : "" } } },
        scales: { x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (v) => `${v}%` } } } },
    });
  }
})();
