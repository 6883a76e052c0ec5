// Broadcasts: refresh the reach as the segment changes, and a sending broadcast's counts.
// The pages are complete without this script (the numbers are there at load).
"use strict";
(function () {
  var segment = document.getElementById("segment");
  var reach = document.getElementById("reach");
  var texts = document.getElementById("texts");
  if (segment && reach) {
    segment.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(segment));
      Array.from(query.keys()).forEach(function (key) {
        if (!query.get(key)) { query.delete(key); }
      });
      fetch("/broadcasts/reach?" + query.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          reach.textContent = data.text;
          reach.dataset.count = String(data.count);
          if (texts) {  // the texts' form saves this segment
            texts.querySelectorAll("input[data-segment]").forEach(function (el) { el.remove(); });
            Object.keys(data.segment).forEach(function (key) {
              var input = document.createElement("input");
              input.type = "hidden";
              input.name = key;
              input.value = data.segment[key];
              input.dataset.segment = "";
              texts.appendChild(input);
            });
          }
          var url = segment.getAttribute("action");
          var shown = new URLSearchParams(data.segment).toString();
          history.replaceState(null, "", shown ? url + "?" + shown : url);
        });
    });
  }
  var progress = document.getElementById("progress");
  if (progress && progress.dataset.poll) {
    var poll = function () {
      fetch(progress.dataset.poll, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          progress.querySelectorAll("[data-count]").forEach(function (el) {
            el.textContent = String(data[el.dataset.count]);
          });
          var bar = document.getElementById("bar");
          if (bar) {
            bar.max = data.queued || 1;
            bar.value = data.queued - data.remaining;
          }
          var state = document.getElementById("state");
          if (state && state.dataset.state !== data.state) {
            if (data.state === "done" || data.state === "cancelled") {
              window.location.reload();  // the buttons change with the state
              return;
            }
            state.textContent = data.state_text;
          }
          window.setTimeout(poll, 3000);
        })
        .catch(function () { window.setTimeout(poll, 10000); });
    };
    window.setTimeout(poll, 3000);
  }
})();
