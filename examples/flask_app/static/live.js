// The vehicle page, live: shows what webhooks pushed and keeps it current by asking the app's
// own /live endpoint every second (no external script, no reload). Lock/unlock are sent
// without leaving the page; the doors then change when the webhook says they did. Values are
// written with textContent only.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script.getAttribute("data-url");
  var cursor = null;
  var polls = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : "";
  }

  function rowOf(vehicleId) {
    return document.querySelector('tr[data-vehicle-id="' + CSS.escape(vehicleId) + '"]');
  }

  function renderPushed(cell, entry) {
    cell.replaceChildren();
    var state = entry && entry.state;
    var errors = (entry && entry.errors) || [];
    cell.setAttribute("data-event-id", state ? state.event_id || "" : "");
    if (!state && errors.length === 0) {
      cell.appendChild(el("span", "muted small", "Waiting for the first webhook…"));
      return;
    }
    if (state) {
      state.signals.forEach(function (signal) {
        var line = el("span", "signal");
        line.setAttribute("data-signal", signal.code);
        line.appendChild(el("b", null, signal.label + ": "));
        line.appendChild(el("span", "signal-value", signal.text));
        cell.appendChild(line);
      });
      cell.appendChild(el("small", "pushed-at", "pushed " + time(state.delivered_at || state.received_at)));
    }
    errors.forEach(function (error) {
      var line = el("span", "signal error", error.code + ": " + error.text);
      line.setAttribute("data-error", error.code || "");
      cell.appendChild(line);
    });
  }

  // A webhook newer than the page's own reading: the doors are what it says.
  function updateDoors(vehicleId, entry) {
    var row = rowOf(vehicleId);
    var state = entry && entry.state;
    if (!row || !state) return;
    state.signals.forEach(function (signal) {
      if (signal.code !== "closure-islocked" || signal.value === null) return;
      var cell = row.querySelector('td[data-field="doors"]');
      cell.setAttribute("data-value", signal.value ? "1.0" : "0.0");
      cell.classList.remove("missing", "pending");
      cell.querySelector(".value").textContent = signal.text;
    });
  }

  function renderEvents(list, recent) {
    list.replaceChildren();
    recent.forEach(function (event) {
      var item = el("li");
      item.setAttribute("data-event-id", event.event_id || "");
      item.setAttribute("data-vehicle-id", event.vehicle_id);
      item.appendChild(el("span", "when", time(event.received_at)));
      item.appendChild(el("b", null, " " + event.event_type + " "));
      var row = rowOf(event.vehicle_id);
      var name = row ? row.querySelector('[data-field="vehicle"]').textContent.trim() : event.vehicle_id;
      item.appendChild(el("span", null, name));
      item.appendChild(el("code", "small", " " + (event.event_id || "")));
      list.appendChild(item);
    });
  }

  function render(snapshot) {
    var first = cursor === null;
    if (snapshot.cursor === cursor) return;
    cursor = snapshot.cursor;
    document.querySelectorAll("[data-live-vehicle]").forEach(function (cell) {
      var vehicleId = cell.getAttribute("data-live-vehicle");
      renderPushed(cell, snapshot.vehicles[vehicleId]);
      if (!first) updateDoors(vehicleId, snapshot.vehicles[vehicleId]);
    });
    document.getElementById("webhook-count").textContent = String(snapshot.count);
    renderEvents(document.getElementById("webhook-events"), snapshot.recent);
    document.body.setAttribute("data-live-cursor", String(cursor));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (snapshot) { if (snapshot) render(snapshot); })
      .catch(function () { /* the next poll tries again */ })
      .then(function () {
        polls += 1;
        document.body.setAttribute("data-live-polls", String(polls));
        window.setTimeout(poll, 1000);
      });
  }

  function flash(ok, message) {
    var old = document.querySelector(".flash[data-live]");
    if (old) old.remove();
    var box = el("div", "flash " + (ok ? "success" : "error"), message);
    box.setAttribute("role", "status");
    box.setAttribute("data-live", "");
    box.setAttribute("data-category", ok ? "success" : "error");
    document.querySelector("main").prepend(box);
  }

  function sendCommand(event) {
    var form = event.target;
    if (!form.matches("form[data-command]")) return;
    event.preventDefault();
    var cell = form.closest('td[data-field="doors"]');
    form.querySelector("button").disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, message: "The command could not be sent (" + response.status + "). Reload the page." };
        });
      })
      .then(function (answer) {
        flash(answer.ok, answer.message);
        if (answer.ok) {
          cell.classList.add("pending");
          cell.querySelector(".value").textContent = (answer.action === "lock" ? "Locking" : "Unlocking") + "… (waiting for the webhook)";
        }
      })
      .catch(function () { flash(false, "The command could not be sent. Reload the page."); })
      .then(function () { form.querySelector("button").disabled = false; });
  }

  document.addEventListener("submit", sendCommand);
  render(JSON.parse(document.getElementById("live-snapshot").textContent));
  window.setTimeout(poll, 1000);
})();
