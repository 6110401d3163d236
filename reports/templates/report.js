// Filter and sort a team's findings in place. The page reads fine without this script.
(function () {
  "use strict";
  var bar = document.getElementById("toolbar");
  addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  if (!bar) return;
  bar.hidden = false;
  var field = function (id) { return document.getElementById(id); };
  var rules = Array.prototype.slice.call(document.querySelectorAll("section.rule"));
  var texts = new Map();
  var keys = {
    order: function (row) { return +row.dataset.order; },
    pages: function (row) { return -row.dataset.pages; },
    age: function (row) { return -row.dataset.age; },
    page: function (row) { return row.dataset.page; }
  };
  var sorted = "order";
  function apply() {
    var words = field("q").value.toLowerCase().split(/\s+/).filter(Boolean);
    var severity = field("severity").value, key = keys[field("sort").value];
    var newOnly = field("new-only").checked, blockingOnly = field("blocking-only").checked;
    var resort = field("sort").value !== sorted, shown = 0;
    sorted = field("sort").value;
    rules.forEach(function (rule) {
      var body = rule.querySelector("tbody"), rows = Array.prototype.slice.call(body.rows);
      if (resort) {
        rows.sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -1 : x > y ? 1 : 0; });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      var visible = 0;
      rows.forEach(function (row) {
        if (!texts.has(row)) texts.set(row, row.textContent.toLowerCase());
        var text = texts.get(row);
        var show = (!severity || rule.dataset.severity === severity) &&
          (!newOnly || row.dataset.new) && (!blockingOnly || row.dataset.blocking) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !show;
        if (show) visible += +row.dataset.pages;
      });
      rule.hidden = !visible;
      shown += visible;
    });
    document.querySelectorAll("section.family").forEach(function (family) {
      family.hidden = !family.querySelector("section.rule:not([hidden])");
    });
    field("shown").textContent = bar.dataset.shown.replace("{shown}", shown);  // worded by the page
  }
  var timer = 0;
  bar.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  apply();
})();
