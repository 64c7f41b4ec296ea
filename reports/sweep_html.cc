// sweep.html: one self-contained page (inline CSS, SVG and a few lines of script; no network) with
// the sweep's table, metric-vs-parameter plots with 95% error bars per profile, and heatmaps
// when exactly two parameters are swept. The plots are drawn here as SVG, one per metric; the
// script only shows the metric picked in the menu, so the page reads the same without script.
// Every string from the scenario or the command line goes through HtmlEscape.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reports/escape.h"
#include "reports/sweep.h"
#include "reports/sweep_internal.h"

namespace rmqsim::reports {
namespace {

constexpr const char* kCss = R"CSS(
:root { --ink: #1d2125; --muted: #5f6873; --line: #d9dde1; --hi: #fff3c4; --bad: #d43c3c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px 40px; color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
h3 { font-size: 14px; margin: 14px 0 4px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
       background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.meta { color: var(--muted); margin: 0 0 4px; }
.hint { color: var(--muted); font-size: 12.5px; margin: 4px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 2px 8px; text-align: right; vertical-align: top; }
thead th { background: #f3f4f6; text-align: center; }
td.l, th.l { text-align: left; }
td.bad { color: var(--bad); font-weight: 600; }
td.zero { color: #b3b8bd; }
tr.first td { border-top: 2px solid #b9c0c7; }
.ci { color: var(--muted); font-size: 12px; }
[hidden] { display: none !important; }  /* .plots sets display, which would override it */
.wide { overflow-x: auto; }
td.repro { min-width: 36em; }
.repro code { user-select: all; overflow-wrap: anywhere; }
td.point { min-width: 14em; overflow-wrap: anywhere; }
.plots { display: flex; flex-wrap: wrap; gap: 16px; }
.plot { border: 1px solid var(--line); border-radius: 4px; background: #fff; padding: 4px; }
.plot svg { display: block; }
svg text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
svg .axis { stroke: #9aa0a6; } svg .grid { stroke: #eceef0; } svg .lbl { fill: var(--muted); }
svg .ttl { font-weight: 600; font-size: 12px; }
select { font: inherit; }
)CSS";

constexpr const char* kJs = R"JS(
(function () {
  var menu = document.getElementById('metric');
  function show() {
    var m = menu.value;
    document.querySelectorAll('[data-metric]').forEach(function (el) {
      el.hidden = el.getAttribute('data-metric') !== m;
    });
  }
  menu.addEventListener('change', show);
  show();
})();
)JS";

const char* kColors[] = {"#1f6fb2", "#d9480f", "#2b8a3e", "#862e9c",
                         "#c2255c", "#5c940d", "#0b7285", "#e67700"};

std::string Esc(std::string_view s) { return HtmlEscape(s); }

// At most `max` characters of `s` (whole UTF-8 sequences), "…" marking a cut.
std::string Shorten(const std::string& s, size_t max) {
  size_t chars = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (++chars == max) break;
  }
  if (i >= s.size()) return s;
  return s.substr(0, i) + "…";
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v + 0.0);
  return buf;
}

// One point of a plot: a mean (or rate) with its interval.
struct Cell {
  bool present = false;
  double value = 0;
  std::optional<Interval> ci;
  size_t runs = 0;
};

bool IsRate(const std::string& metric) {
  return metric == "loss_rate" || metric == "failed_rate" || metric == "duplicated_rate" ||
         metric == "runs_losing";
}

std::string Show(const std::string& metric, double v) {
  return IsRate(metric) ? FormatPercent(v) : FormatValue(v);
}

// Pools the groups (same profile, several grid points) into one cell: rates by summing
// successes and trials, means by the pooled mean and variance of all their runs.
Cell Pool(const std::vector<const GroupSummary*>& groups, const std::string& metric) {
  Cell c;
  if (groups.empty()) return c;
  if (IsRate(metric)) {
    double k = 0, n = 0;
    for (const GroupSummary* g : groups) {
      for (const RateStats& r : g->rates) {
        if (r.name == metric) k += r.successes, n += r.trials;
      }
      c.runs += g->runs;
    }
    c.present = n > 0;
    if (c.present) c.value = k / n, c.ci = WilsonInterval(k, n);
    return c;
  }
  std::vector<const SampleStats*> stats;
  for (const GroupSummary* g : groups) {
    for (const MetricStats& m : g->metrics) {
      if (m.name == metric) stats.push_back(&m.stats);
    }
  }
  if (stats.empty()) return c;
  c.present = true;
  if (stats.size() == 1) {
    c.value = stats[0]->mean, c.ci = stats[0]->ci95, c.runs = stats[0]->n;
    return c;
  }
  double n = 0, sum = 0;
  for (const SampleStats* s : stats) n += static_cast<double>(s->n), sum += s->mean * static_cast<double>(s->n);
  double mean = sum / n, ss = 0;
  for (const SampleStats* s : stats) {
    double ni = static_cast<double>(s->n);
    ss += (ni - 1) * s->sd * s->sd + ni * (s->mean - mean) * (s->mean - mean);
  }
  c.value = mean;
  c.runs = static_cast<size_t>(n);
  if (n >= 2) {
    double half = StudentTQuantile(0.975, n - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
    c.ci = Interval{mean - half, mean + half};
  }
  return c;
}

struct Series {
  std::string name;
  std::vector<Cell> cells;  // one per x category
};

// A metric-vs-category plot with error bars, one series per profile.
std::string LinePlot(const std::string& title, const std::string& metric,
                     const std::vector<std::string>& categories, const std::vector<Series>& series,
                     const std::string& x_label) {
  const double w = 620, h = 300, left = 64, right = 16, top = 28, bottom = 58;
  double ymax = 0;
  for (const Series& s : series) {
    for (const Cell& c : s.cells) {
      if (c.present) ymax = std::max({ymax, c.value, c.ci ? c.ci->high : c.value});
    }
  }
  if (IsRate(metric)) ymax = std::min(1.0, ymax);
  if (ymax <= 0) ymax = IsRate(metric) ? 0.01 : 1;
  ymax *= 1.08;
  auto y = [&](double v) { return top + (h - top - bottom) * (1 - v / ymax); };
  double plot_w = w - left - right;
  double band = plot_w / static_cast<double>(std::max<size_t>(1, categories.size()));
  auto x = [&](size_t cat, size_t s) {
    double dodge = series.size() > 1 ? (static_cast<double>(s) - (series.size() - 1) / 2.0) *
                                           std::min(14.0, band / (2.0 * series.size()))
                                     : 0;
    return left + band * (static_cast<double>(cat) + 0.5) + dodge;
  };
  std::string o = absl::StrCat("<svg class=\"errorbars\" width=\"", Num(w), "\" height=\"", Num(h), "\" viewBox=\"0 0 ",
                               Num(w), " ", Num(h), "\" role=\"img\"><title>", Esc(title),
                               "</title>\n<text class=\"ttl\" x=\"", Num(left), "\" y=\"16\">",
                               Esc(title), "</text>\n");
  for (int t = 0; t <= 4; ++t) {
    double v = ymax / 1.08 * t / 4;
    absl::StrAppend(&o, "<line class=\"grid\" x1=\"", Num(left), "\" x2=\"", Num(w - right),
                    "\" y1=\"", Num(y(v)), "\" y2=\"", Num(y(v)), "\"/><text class=\"lbl\" x=\"",
                    Num(left - 6), "\" y=\"", Num(y(v) + 4), "\" text-anchor=\"end\">",
                    Esc(Show(metric, v)), "</text>\n");
  }
  absl::StrAppend(&o, "<line class=\"axis\" x1=\"", Num(left), "\" x2=\"", Num(w - right),
                  "\" y1=\"", Num(y(0)), "\" y2=\"", Num(y(0)), "\"/>\n");
  for (size_t c = 0; c < categories.size(); ++c) {
    std::string label = Shorten(categories[c], 18);
    absl::StrAppend(&o, "<text class=\"lbl\" x=\"", Num(left + band * (static_cast<double>(c) + 0.5)),
                    "\" y=\"", Num(h - bottom + 16), "\" text-anchor=\"middle\">", Esc(label),
                    "<title>", Esc(categories[c]), "</title></text>\n");
  }
  absl::StrAppend(&o, "<text class=\"lbl\" x=\"", Num(left + plot_w / 2), "\" y=\"",
                  Num(h - bottom + 34), "\" text-anchor=\"middle\">", Esc(x_label), "</text>\n");
  for (size_t s = 0; s < series.size(); ++s) {
    const char* color = kColors[s % 8];
    std::string path;
    for (size_t c = 0; c < series[s].cells.size(); ++c) {
      const Cell& cell = series[s].cells[c];
      if (!cell.present) continue;
      absl::StrAppend(&path, path.empty() ? "M" : " L", Num(x(c, s)), " ", Num(y(cell.value)));
    }
    if (!path.empty() && categories.size() > 1) {
      absl::StrAppend(&o, "<path d=\"", path, "\" fill=\"none\" stroke=\"", color,
                      "\" stroke-width=\"1.5\" opacity=\"0.6\"/>\n");
    }
    for (size_t c = 0; c < series[s].cells.size(); ++c) {
      const Cell& cell = series[s].cells[c];
      if (!cell.present) continue;
      std::string tip = absl::StrCat(series[s].name, " @ ", categories[c], ": ",
                                     Show(metric, cell.value));
      if (cell.ci) {
        double lo = y(std::max(0.0, cell.ci->low)), hi = y(cell.ci->high), cx = x(c, s);
        absl::StrAppend(&o, "<path d=\"M", Num(cx), " ", Num(lo), " V", Num(hi), " M", Num(cx - 4),
                        " ", Num(lo), " H", Num(cx + 4), " M", Num(cx - 4), " ", Num(hi), " H",
                        Num(cx + 4), "\" stroke=\"", color, "\" stroke-width=\"1.2\"/>\n");
        absl::StrAppend(&tip, " (95% CI ", Show(metric, cell.ci->low), " .. ",
                        Show(metric, cell.ci->high), ")");
      }
      absl::StrAppend(&tip, ", ", cell.runs, " runs");
      absl::StrAppend(&o, "<circle cx=\"", Num(x(c, s)), "\" cy=\"", Num(y(cell.value)),
                      "\" r=\"3.5\" fill=\"", color, "\"><title>", Esc(tip), "</title></circle>\n");
    }
    absl::StrAppend(&o, "<rect x=\"", Num(w - right - 120), "\" y=\"", Num(8 + 14.0 * s),
                    "\" width=\"10\" height=\"10\" fill=\"", color, "\"/><text x=\"",
                    Num(w - right - 106), "\" y=\"", Num(17 + 14.0 * s), "\">", Esc(series[s].name),
                    "</text>\n");
  }
  return o + "</svg>";
}

// Heatmap colour for t in [0, 1]: white to deep red.
std::string HeatColor(double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto ch = [&](double from, double to) { return static_cast<int>(std::lround(from + (to - from) * t)); };
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", ch(247, 165), ch(248, 15), ch(250, 21));
  return buf;
}

std::string Heatmap(const SweepSpec& spec, const std::string& profile, const std::string& metric,
                    const std::map<std::pair<size_t, std::string>, const GroupSummary*>& by_point,
                    double lo, double hi) {
  const SweepSet& rows = spec.sets[0];
  const SweepSet& cols = spec.sets[1];
  const double cw = 78, ch = 26, left = 130, top = 44;
  // Wide enough for the column parameter's name (about 6.5 px per character at 11 px).
  double w = std::max(left + cw * static_cast<double>(cols.values.size()) + 10,
                      left + 6.5 * static_cast<double>(cols.path.size() + 2) + 10);
  double h = top + ch * static_cast<double>(rows.values.size()) + 10;
  std::string title = absl::StrCat(profile, ": ", metric);
  std::string o = absl::StrCat("<svg class=\"heatmap\" width=\"", Num(w), "\" height=\"", Num(h), "\" viewBox=\"0 0 ",
                               Num(w), " ", Num(h), "\" role=\"img\"><title>", Esc(title),
                               "</title>\n<text class=\"ttl\" x=\"4\" y=\"16\">", Esc(title),
                               "</text>\n<text class=\"lbl\" x=\"", Num(left), "\" y=\"", Num(top - 20),
                               "\">", Esc(cols.path), " →</text>\n<text class=\"lbl\" x=\"4\" y=\"",
                               Num(top - 6), "\">", Esc(rows.path), " ↓</text>\n");
  for (size_t c = 0; c < cols.values.size(); ++c) {
    absl::StrAppend(&o, "<text class=\"lbl\" x=\"", Num(left + cw * (c + 0.5)), "\" y=\"", Num(top - 6),
                    "\" text-anchor=\"middle\">", Esc(Shorten(cols.values[c], 12)), "</text>\n");
  }
  for (size_t r = 0; r < rows.values.size(); ++r) {
    absl::StrAppend(&o, "<text class=\"lbl\" x=\"", Num(left - 6), "\" y=\"", Num(top + ch * (r + 0.5) + 4),
                    "\" text-anchor=\"end\">", Esc(Shorten(rows.values[r], 20)), "</text>\n");
    for (size_t c = 0; c < cols.values.size(); ++c) {
      size_t point = r * cols.values.size() + c;
      auto it = by_point.find({point, profile});
      Cell cell = it == by_point.end() ? Cell{} : Pool({it->second}, metric);
      double t = hi > lo ? (cell.value - lo) / (hi - lo) : 0;
      std::string tip = absl::StrCat(PointLabel(spec, point), " | ", profile, " | ", metric, " ",
                                     cell.present ? Show(metric, cell.value) : "no runs");
      if (cell.ci) {
        absl::StrAppend(&tip, " (95% CI ", Show(metric, cell.ci->low), " .. ",
                        Show(metric, cell.ci->high), ")");
      }
      absl::StrAppend(&o, "<rect x=\"", Num(left + cw * c), "\" y=\"", Num(top + ch * r),
                      "\" width=\"", Num(cw - 2), "\" height=\"", Num(ch - 2), "\" fill=\"",
                      cell.present ? HeatColor(t) : "#eeeeee", "\"><title>", Esc(tip),
                      "</title></rect><text x=\"", Num(left + cw * (c + 0.5) - 1), "\" y=\"",
                      Num(top + ch * r + 17), "\" text-anchor=\"middle\"",
                      t > 0.6 ? " style=\"fill:#fff\"" : "", ">",
                      cell.present ? Esc(Show(metric, cell.value)) : "", "</text>\n");
    }
  }
  return o + "</svg>";
}

std::vector<std::string> PlotMetrics(const SweepSummary& summary) {
  std::vector<std::string> out = {"lost", "loss_rate", "failed", "failed_rate", "duplicated",
                                  "duplicated_rate", "runs_losing"};
  if (!summary.groups.empty()) {
    for (const std::string& m : TableMetrics(summary.groups[0])) {
      if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
    }
  }
  return out;
}

std::string PlotsSection(const SweepSpec& spec, const SweepSummary& summary) {
  std::map<std::pair<size_t, std::string>, const GroupSummary*> by_point;
  for (const GroupSummary& g : summary.groups) by_point[{g.point, g.profile}] = &g;
  std::string o = "<h2>Plots</h2>\n<p class=\"hint\">Metric: <select id=\"metric\">";
  std::vector<std::string> metrics = PlotMetrics(summary);
  for (const std::string& m : metrics) {
    absl::StrAppend(&o, "<option value=\"", Esc(m), "\">", Esc(m), "</option>");
  }
  absl::StrAppend(&o, "</select> Points are means (rates: pooled proportions) with 95% confidence "
                      "intervals as error bars; hover for values.");
  if (spec.sets.size() > 1) {
    absl::StrAppend(&o, " With several parameters, each plot pools the runs over the other "
                        "parameters' values.");
  }
  o += "</p>\n";
  for (const std::string& m : metrics) {
    absl::StrAppend(&o, "<div class=\"plots\" data-metric=\"", Esc(m), "\">\n");
    size_t axes = std::max<size_t>(1, spec.sets.size());
    for (size_t k = 0; k < axes; ++k) {
      std::vector<std::string> cats =
          spec.sets.empty() ? std::vector<std::string>{"(no --set)"} : spec.sets[k].values;
      std::vector<Series> series;
      for (const std::string& profile : spec.profiles) {
        Series s{profile, {}};
        for (size_t v = 0; v < cats.size(); ++v) {
          std::vector<const GroupSummary*> groups;
          for (size_t p = 0; p < spec.Points(); ++p) {
            if (!spec.sets.empty() && spec.PointValues(p)[k].second != cats[v]) continue;
            auto it = by_point.find({p, profile});
            if (it != by_point.end()) groups.push_back(it->second);
          }
          s.cells.push_back(Pool(groups, m));
        }
        series.push_back(std::move(s));
      }
      std::string axis = spec.sets.empty() ? "profile" : spec.sets[k].path;
      absl::StrAppend(&o, "<div class=\"plot\">",
                      LinePlot(absl::StrCat(m, " vs ", axis), m, cats, series, axis), "</div>\n");
    }
    if (spec.sets.size() == 2) {
      double lo = 0, hi = 0;
      bool any = false;
      for (const GroupSummary& g : summary.groups) {
        Cell c = Pool({&g}, m);
        if (!c.present) continue;
        lo = any ? std::min(lo, c.value) : c.value;
        hi = any ? std::max(hi, c.value) : c.value;
        any = true;
      }
      for (const std::string& profile : spec.profiles) {
        absl::StrAppend(&o, "<div class=\"plot\">", Heatmap(spec, profile, m, by_point, lo, hi),
                        "</div>\n");
      }
    }
    o += "</div>\n";
  }
  return o;
}

std::string Td(const std::string& metric, const Cell& c, bool bad_when_positive) {
  if (!c.present) return "<td>-</td>";
  std::string cls = c.value == 0 ? " class=\"zero\"" : bad_when_positive ? " class=\"bad\"" : "";
  std::string ci = c.ci ? absl::StrCat("<br><span class=\"ci\">[", Show(metric, c.ci->low), ", ",
                                       Show(metric, c.ci->high), "]</span>")
                        : "";
  return absl::StrCat("<td", cls, ">", Esc(Show(metric, c.value)), ci, "</td>");
}

std::string TableSection(const SweepSpec& spec, const SweepSummary& summary) {
  const std::vector<std::pair<std::string, bool>> cols = {
      {"lost", true},          {"failed", true},           {"duplicated", true},
      {"unresolved", true},    {"retries", false},         {"latency_p99_ms", false},
      {"loss_rate", true},     {"failed_rate", true},      {"runs_losing", true}};
  std::string o =
      "<h2>Results</h2>\n<p class=\"hint\">Per grid point and profile: mean with its 95% "
      "confidence interval below (Student t for means, Wilson score for rates). Every metric's "
      "mean, sd, min, max and interval are in summary.json; every run is in runs.jsonl.</p>\n"
      "<div class=\"wide\"><table>\n<thead><tr><th class=\"l\">grid point</th><th class=\"l\">profile</th><th>runs</th>";
  for (const auto& [name, bad] : cols) absl::StrAppend(&o, "<th>", Esc(name), "</th>");
  o += "<th class=\"l\">worst run (lost, then failed, then duplicated)</th></tr></thead>\n<tbody>\n";
  size_t last_point = SIZE_MAX;
  for (const GroupSummary& g : summary.groups) {
    bool first = g.point != last_point;
    last_point = g.point;
    absl::StrAppend(&o, "<tr", first ? " class=\"first\"" : "", "><td class=\"l point\">",
                    first ? Esc(PointLabel(spec, g.point)) : "", "</td><td class=\"l\">",
                    Esc(g.profile), "</td><td>", g.runs, "</td>");
    for (const auto& [name, bad] : cols) o += Td(name, Pool({&g}, name), bad);
    o += "<td class=\"l repro\">";
    if (g.worst) {
      absl::StrAppend(&o, "seed ", g.worst->seed, ": lost ", FormatValue(g.worst->lost),
                      ", failed ", FormatValue(g.worst->failed), ", duplicated ",
                      FormatValue(g.worst->duplicated), "<br><code>", Esc(g.worst->command),
                      "</code>");
    }
    o += "</td></tr>\n";
  }
  return o + "</tbody></table></div>\n";
}

}  // namespace

std::string SweepHtml(const SweepSpec& spec, const SweepSummary& summary,
                      const std::optional<Shard>& shard) {
  std::string o = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>rmqsim sweep: ",
      Esc(spec.scenario_id), "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<h1>Sweep: ",
      Esc(spec.scenario_title), "</h1>\n");
  std::vector<std::string> sets;
  for (const SweepSet& s : spec.sets) {
    sets.push_back(absl::StrCat("<code>", Esc(s.path), "</code> = ",
                                Esc(absl::StrJoin(s.values, ", "))));
  }
  absl::StrAppend(
      &o, "<p class=\"meta\">scenario <code>",
      Esc(spec.scenario_path.empty() ? "(built-in default)" : spec.scenario_path), "</code> (",
      Esc(spec.scenario_id), ", ", Esc(spec.scenario_hash), ") · seeds ", Esc(spec.seeds), " (",
      spec.seed_list.size(), ") · profiles ", Esc(absl::StrJoin(spec.profiles, ", ")), " · ",
      spec.Points(), " grid point", spec.Points() == 1 ? "" : "s", " · ", spec.WorkSize(),
      " runs</p>\n<p class=\"meta\">swept: ", sets.empty() ? "nothing (seeds only)" : absl::StrJoin(sets, "; "),
      "</p>\n");
  if (shard) {
    absl::StrAppend(&o, "<p class=\"meta\"><b>Shard ", shard->index, "/", shard->count, "</b>: ",
                    summary.runs, " of ", spec.WorkSize(),
                    " runs; <code>rmqsim merge</code> combines the shards.</p>\n");
  }
  absl::StrAppend(&o, "<p class=\"meta\">", Esc(spec.generator), "</p>\n");
  o += TableSection(spec, summary);
  o += PlotsSection(spec, summary);
  absl::StrAppend(&o, "<script>", kJs, "</script>\n</body>\n</html>\n");
  return o;
}

}  // namespace rmqsim::reports
