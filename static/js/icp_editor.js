// The form-based ICP editor: criteria with their weights and bands, edited as fields; the JSON textarea
// (import / export) is kept in step both ways. Weights show a running total that must reach 100, or
// "Normalise" rescales them and shows the resulting weights. The server checks the same rule.
(function () {
  var root = document.getElementById("icp-form-editor");
  if (!root) { return; }
  var textarea = document.querySelector(root.dataset.json);
  var saveButton = document.querySelector(root.dataset.save);
  var categorical = JSON.parse(root.dataset.categorical);
  var numeric = JSON.parse(root.dataset.numeric);
  var list = root.querySelector("#icp-criteria");
  var total = root.querySelector("#icp-weight-total");
  var normalised = root.querySelector("#icp-normalised");
  var criteria = [];
  var fresh = new WeakSet();  // criteria added here: their key follows their label (saved ones keep theirs)

  function read() {
    try {
      var value = JSON.parse(textarea.value || "[]");
      criteria = Array.isArray(value) ? value : [];
      root.querySelector("#icp-json-error").textContent = "";
    } catch (e) {
      root.querySelector("#icp-json-error").textContent = interpolate(gettext("The JSON below is not valid: %(problem)s"), { problem: e.message }, true);
    }
  }
  function write() { textarea.value = JSON.stringify(criteria, null, 2); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function slug(text) { return (text || "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "criterion"; }
  function sum() { return criteria.reduce(function (s, c) { return s + (parseFloat(c.weight) || 0); }, 0); }
  function round2(x) { return Math.round(x * 100) / 100; }

  function updateTotal() {
    var t = round2(sum());
    var ok = Math.abs(t - 100) < 0.005;
    total.textContent = interpolate(gettext("Total %(total)s of 100"), { total: abeNumber(t) }, true);
    total.dataset.total = String(t);
    total.className = "pill " + (ok ? "won" : "lost");
    saveButton.disabled = !ok;
    saveButton.title = ok ? "" : gettext("The weights must add up to 100 (or press Normalise).");
    root.querySelector("#icp-total-hint").textContent = ok ? "" :
      interpolate(t > 100 ? gettext("Remove %(points)s points, or press “Normalise”.")
        : gettext("Add %(points)s points, or press “Normalise”."), { points: abeNumber(round2(Math.abs(t - 100))) }, true);
  }

  function conditionRow(band, attribute) {
    var row = el("div", { "class": "icp-condition" });
    var select = el("select", { "aria-label": gettext("Attribute") });
    categorical.concat(numeric).concat([["technologies", gettext("Technologies")]]).forEach(function (pair) {
      var option = el("option", { value: pair[0] }, pair[1]);
      if (pair[0] === attribute) { option.selected = true; }
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var value = band.when[attribute];
      delete band.when[attribute];
      var isNumeric = numeric.some(function (p) { return p[0] === select.value; });
      band.when[select.value] = select.value === "technologies" ? { any: [] } : (isNumeric ? { min: null, max: null } : []);
      if (value && Array.isArray(value) && !isNumeric && select.value !== "technologies") { band.when[select.value] = value; }
      changed(true);
    });
    row.appendChild(select);
    var condition = band.when[attribute];
    var isNumeric = numeric.some(function (p) { return p[0] === attribute; });
    if (isNumeric) {
      [["min", gettext("min"), gettext("Minimum")], ["max", gettext("max"), gettext("Maximum")]].forEach(function (pair) {
        var bound = pair[0];
        var input = el("input", { type: "number", step: "any", placeholder: pair[1], "aria-label": pair[2], "class": "icp-" + bound });
        if (condition[bound] !== null && condition[bound] !== undefined) { input.value = condition[bound]; }
        input.addEventListener("input", function () {
          if (input.value === "") { delete condition[bound]; } else { condition[bound] = parseFloat(input.value); }
          changed(false);
        });
        row.appendChild(input);
      });
    } else {
      var values = attribute === "technologies" ? condition[Object.keys(condition)[0]] : condition;
      if (attribute === "technologies") {
        var mode = el("select", { "aria-label": gettext("Match") });
        [["any", gettext("any of")], ["all", gettext("all of")], ["none", gettext("none of")]].forEach(function (pair) {
          var m = pair[0];
          var option = el("option", { value: m }, pair[1]);
          if (condition[m]) { option.selected = true; }
          mode.appendChild(option);
        });
        mode.addEventListener("change", function () { band.when.technologies = {}; band.when.technologies[mode.value] = values; changed(false); });
        row.appendChild(mode);
      }
      var text = el("input", { type: "text", placeholder: gettext("values, comma-separated"), "aria-label": gettext("Values"), "class": "icp-values" });
      text.value = (values || []).join(", ");
      text.addEventListener("input", function () {
        var parts = text.value.split(",").map(function (v) { return v.trim(); }).filter(Boolean);
        if (attribute === "technologies") { band.when.technologies[Object.keys(band.when.technologies)[0]] = parts; }
        else { band.when[attribute] = parts; }
        changed(false);
      });
      row.appendChild(text);
    }
    var remove = el("button", { type: "button", "class": "btn small", "aria-label": gettext("Remove condition") }, "×");
    remove.addEventListener("click", function () { delete band.when[attribute]; changed(true); });
    row.appendChild(remove);
    return row;
  }

  function render() {
    list.innerHTML = "";
    criteria.forEach(function (c, i) {
      var card = el("fieldset", { "class": "group icp-criterion", "data-index": String(i) });
      var head = el("div", { "class": "icp-head" });
      var label = el("input", { type: "text", "class": "icp-label", "aria-label": gettext("Criterion"), value: c.label || "" });
      label.addEventListener("input", function () {
        c.label = label.value;
        if (fresh.has(c)) { c.key = slug(label.value); }
        changed(false);
      });
      var weight = el("input", { type: "number", min: "0", step: "any", "class": "icp-weight", "aria-label": interpolate(gettext("Weight of %(criterion)s"), { criterion: c.label || gettext("criterion") }, true), value: c.weight });
      weight.addEventListener("input", function () { c.weight = weight.value === "" ? 0 : parseFloat(weight.value); normalised.textContent = ""; changed(false); });
      head.appendChild(label);
      head.appendChild(el("span", { "class": "muted small" }, gettext("weight")));
      head.appendChild(weight);
      [["↑", -1, gettext("Move up")], ["↓", 1, gettext("Move down")]].forEach(function (move) {
        var b = el("button", { type: "button", "class": "btn small", "aria-label": move[2] }, move[0]);
        b.disabled = (move[1] < 0 && i === 0) || (move[1] > 0 && i === criteria.length - 1);
        b.addEventListener("click", function () {
          var j = i + move[1];
          criteria.splice(j, 0, criteria.splice(i, 1)[0]);
          changed(true);
        });
        head.appendChild(b);
      });
      var remove = el("button", { type: "button", "class": "btn small danger icp-remove", "aria-label": gettext("Remove criterion") }, gettext("Remove"));
      remove.addEventListener("click", function () { criteria.splice(i, 1); changed(true); });
      head.appendChild(remove);
      card.appendChild(head);
      (c.bands || []).forEach(function (band, k) {
        var b = el("div", { "class": "icp-band" });
        var bl = el("input", { type: "text", "aria-label": gettext("Band"), value: band.label || "", "class": "icp-band-label" });
        bl.addEventListener("input", function () { band.label = bl.value; changed(false); });
        var points = el("input", { type: "number", min: "0", max: "1", step: "0.05", "aria-label": gettext("Share of the weight"), value: band.points === undefined ? 1 : band.points });
        points.addEventListener("input", function () { band.points = parseFloat(points.value); changed(false); });
        b.appendChild(bl);
        b.appendChild(el("span", { "class": "muted small" }, gettext("share")));
        b.appendChild(points);
        var removeBand = el("button", { type: "button", "class": "btn small", "aria-label": gettext("Remove band") }, gettext("Remove band"));
        removeBand.addEventListener("click", function () { c.bands.splice(k, 1); changed(true); });
        b.appendChild(removeBand);
        Object.keys(band.when || {}).forEach(function (attribute) { b.appendChild(conditionRow(band, attribute)); });
        var add = el("button", { type: "button", "class": "btn small" }, gettext("+ Condition"));
        add.addEventListener("click", function () { band.when = band.when || {}; band.when[categorical[0][0]] = band.when[categorical[0][0]] || []; changed(true); });
        b.appendChild(add);
        card.appendChild(b);
      });
      var addBand = el("button", { type: "button", "class": "btn small" }, gettext("+ Band"));
      addBand.addEventListener("click", function () { c.bands = c.bands || []; c.bands.push({ label: "", points: 1, when: { industry: [] } }); changed(true); });
      card.appendChild(addBand);
      list.appendChild(card);
    });
    updateTotal();
  }
  function changed(rerender) {
    write();
    if (rerender) { render(); } else { updateTotal(); }
  }
  root.querySelector("#icp-add").addEventListener("click", function () {
    var c = { key: "criterion_" + (criteria.length + 1), label: "", weight: 0, bands: [{ label: "", points: 1, when: { industry: [] } }] };
    fresh.add(c);
    criteria.push(c);
    changed(true);
  });
  root.querySelector("#icp-normalise-button").addEventListener("click", function () {
    var t = sum();
    if (!t) { return; }
    var running = 0;
    criteria.forEach(function (c, i) {
      if (i === criteria.length - 1) { c.weight = round2(100 - running); }
      else { c.weight = round2((parseFloat(c.weight) || 0) * 100 / t); running += c.weight; }
    });
    changed(true);
    normalised.textContent = interpolate(gettext("Weights normalised to 100: %(weights)s."), { weights: criteria.map(function (c) { return (c.label || c.key) + " " + abeNumber(c.weight); }).join(", ") }, true);
  });
  textarea.addEventListener("input", function () { read(); render(); });
  read();
  render();
})();
