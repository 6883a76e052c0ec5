// Job openings: in the form, SSW (ii) and the job types follow the chosen work; on an
// opening's page, the answers' counts refresh while invitations are out (a small JSON
// request every 15 s). The pages are complete without this script.
"use strict";
(function () {
  var sector = document.getElementById("sector");
  var category = document.getElementById("category");
  var route = document.querySelector("select[name=route]");
  function follow() {
    var chosen = sector.options[sector.selectedIndex];
    if (route) {
      var ssw2 = route.querySelector("option[value=ssw2]");
      var allowed = !chosen || !chosen.dataset.ssw2 || chosen.dataset.ssw2 === "yes";
      if (ssw2) { ssw2.disabled = !allowed; }
      if (!allowed && route.value === "ssw2") { route.value = "ssw1"; }
    }
    if (category) {
      var any = false;
      category.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.dataset.sector === sector.value;
        group.hidden = !mine;
        group.disabled = !mine;
        any = any || mine;
      });
      var selected = category.options[category.selectedIndex];
      if (selected && selected.parentElement.tagName === "OPTGROUP" && selected.parentElement.disabled) {
        category.value = "";
      }
      category.closest("label").hidden = !any;
    }
  }
  if (sector) {
    sector.addEventListener("change", follow);
    follow();
  }
  // the "missing" marks of the descriptions follow what is typed
  var texts = document.querySelectorAll("textarea[name^=description_]");
  texts.forEach(function (area) {
    area.addEventListener("input", function () {
      var code = area.name.replace("description_", "");
      var mark = document.querySelector("[data-missing='" + code + "']");
      if (mark) { mark.hidden = area.value.trim() !== ""; }
      // the notice above lists the languages still missing, or goes when none is
      var notice = document.getElementById("missing");
      if (notice) {
        var names = [];
        texts.forEach(function (t) {
          var badge = document.querySelector("[data-missing='" + t.name.replace("description_", "") + "']");
          if (t.value.trim() === "" && badge) { names.push(badge.dataset.name); }
        });
        notice.hidden = names.length === 0;
        notice.textContent = notice.dataset.template.replace("{languages}", names.join(", "));
      }
    });
  });
  var answers = document.getElementById("answers");
  if (answers && answers.dataset.poll) {
    var shown = {};
    answers.querySelectorAll("[data-count]").forEach(function (el) {
      shown[el.dataset.count] = el.textContent.trim();
    });
    var poll = function () {
      fetch(answers.dataset.poll, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { window.setTimeout(poll, 30000); return; }
          var changed = false;
          answers.querySelectorAll("[data-count]").forEach(function (el) {
            var value = String(data[el.dataset.count]);
            if (value !== shown[el.dataset.count]) { changed = true; }
            el.textContent = value;
          });
          var reload = document.getElementById("reload");
          if (changed && reload) { reload.hidden = false; }
          if (data.state === "open") { window.setTimeout(poll, 15000); }
        })
        .catch(function () { window.setTimeout(poll, 30000); });
    };
    window.setTimeout(poll, 15000);
  }
})();
