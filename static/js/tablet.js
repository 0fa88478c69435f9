// The counter's rating tablet: each submission gets an id and waits in this tablet's storage
// until the server confirms it (a network outage loses nothing; a retry after a lost answer
// stores nothing twice: the id makes it idempotent). After sending, a neutral thank-you, then
// a blank form for the next citizen; a form left untouched is cleared. The previous citizen's
// answers are never shown again. Texts come translated from the page.
(function () {
  "use strict";
  var root = document.querySelector("[data-tablet]");
  if (!root) { return; }
  var form = root.querySelector("form[data-survey]");
  var survey = root.querySelector("[data-tablet-survey]");
  var thanks = root.querySelector("[data-tablet-thanks]");
  var problem = root.querySelector("[data-tablet-problem]");
  var status = root.querySelector("[data-tablet-status]");
  var fullscreen = root.querySelector("[data-tablet-fullscreen]");
  // One queue per counter, not per link: a new link for the same counter sends what the old
  // one could not.
  var key = root.dataset.queueKey;
  var revokedNotice = root.querySelector("[data-tablet-revoked]");
  var idleLimit = Number(root.dataset.idleSeconds) * 1000;
  var thanksDelay = Number(root.dataset.thanksSeconds) * 1000;
  var csrf = root.dataset.csrf;
  var loadedAt = Date.now();
  var startedAt = null;   // the citizen's first answer
  var lastTouch = Date.now();
  var thanksTimer = null;
  var sending = false;
  var blocked = false;  // the server keeps refusing the CSRF token

  function queue() {
    try { return JSON.parse(window.localStorage.getItem(key)) || []; } catch (error) { return []; }
  }
  function keep(items) { window.localStorage.setItem(key, JSON.stringify(items)); }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (byte) {
      return ("0" + byte.toString(16)).slice(-2);
    }).join("");
  }

  function showStatus() {
    var waiting = queue().length;
    var text = "";
    if (waiting) {
      text = waiting === 1 ? root.dataset.queueOne
        : root.dataset.queueText.replace("{n}", waiting);
      if (blocked) { text += " " + root.dataset.blockedText; }
    }
    status.textContent = text;
    status.hidden = !text;
  }

  // The link was revoked or replaced: take no more answers here (they could not be sent).
  function revoke() {
    window.clearTimeout(thanksTimer);
    form.reset();
    survey.hidden = true;
    thanks.hidden = true;
    revokedNotice.hidden = false;
  }

  function post(item) {
    return window.fetch(root.dataset.answersUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    });
  }

  function refreshCsrf() {
    return window.fetch(root.dataset.csrfUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) { csrf = data.csrf_token; });
  }

  function drop(id) {
    keep(queue().filter(function (item) { return item.id !== id; }));
  }

  // Send what waits, oldest first; stop at the first failure of the network or the server
  // (kept for the next try), drop what the server stored or will never accept.
  function flush() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    var csrfRenewals = 0;
    function next() {
      var items = queue();
      if (!items.length) { return Promise.resolve(); }
      var item = items[0];
      return post(item).then(function (response) {
        if (response.status === 200 || response.status === 201) {
          blocked = false;
          drop(item.id);
          return next();
        }
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 400 && data.csrf) {
            if (csrfRenewals >= 2) { blocked = true; return null; }  // kept, never dropped
            csrfRenewals += 1;
            return refreshCsrf().then(next);
          }
          if (response.status === 404) { revoke(); return null; }
          if (response.status === 400 || response.status === 422) {
            drop(item.id);  // malformed: it can never be stored as it is
            return next();
          }
          return null;  // 429, 5xx: later
        });
      });
    }
    return next().catch(function () { /* offline: kept for later */ })
      .then(function () { sending = false; showStatus(); });
  }

  function collect() {
    var answers = {};
    new window.FormData(form).forEach(function (value, name) { answers[name] = String(value); });
    return answers;
  }

  function saidSomething() {
    var statements = form.querySelectorAll("fieldset.statement input:checked");
    for (var index = 0; index < statements.length; index += 1) {
      if (statements[index].value !== "na") { return true; }
    }
    var comment = form.querySelector("textarea[name=comment]");
    return Boolean(comment && comment.value.trim());
  }

  // Answers about a dossier count only with its code (the server refuses them without it,
  // and a refused answer would be dropped from the queue).
  function dossierCodeMissing() {
    var code = form.querySelector("input[name=dossier_code]");
    if (!code || !form.querySelector("input[name^='tt01_']:checked")) { return null; }
    return /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,59}$/.test(code.value.trim()) ? null : code;
  }

  function backToStart() {
    window.clearTimeout(thanksTimer);
    form.reset();
    startedAt = null;
    problem.hidden = true;
    thanks.hidden = true;
    survey.hidden = false;
    window.surveySteps.show(0, false);
    window.surveySteps.count();
    window.scrollTo(0, 0);
    lastTouch = Date.now();
    // The next citizen starts in Vietnamese, and a tablet open since yesterday reloads (new
    // officers on duty): only when the server answers, never onto an offline error page.
    var lang = document.documentElement.lang;
    if (lang !== "vi" || Date.now() - loadedAt > 6 * 3600 * 1000) {
      var target = window.location.pathname + "?lang=vi";
      window.fetch(target, { method: "HEAD", cache: "no-store" }).then(function (response) {
        if (response.ok) { window.location.replace(target); }
      }).catch(function () { /* offline: stay */ });
    }
  }

  form.addEventListener("change", function () {
    if (startedAt === null) { startedAt = Date.now(); }
    problem.hidden = true;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (window.surveySteps.current() < form.querySelectorAll("[data-step]").length - 1) {
      return;  // survey.js moves to the next step
    }
    if (!saidSomething()) {
      problem.textContent = root.dataset.emptyText;
      problem.hidden = false;
      problem.scrollIntoView({ block: "center" });
      return;
    }
    var code = dossierCodeMissing();
    if (code) {
      problem.textContent = root.dataset.dossierText;
      problem.hidden = false;
      code.setAttribute("aria-invalid", "true");
      window.surveySteps.show(Array.prototype.indexOf.call(
        form.querySelectorAll("[data-step]"), code.closest("[data-step]")), false);
      problem.hidden = false;
      code.focus();
      return;
    }
    var now = Date.now();
    var items = queue();
    items.push({
      id: newId(), answered_at: now, questionnaire: Number(root.dataset.questionnaire),
      seconds: startedAt === null ? 0 : Math.round((now - startedAt) / 1000),
      answers: collect()
    });
    keep(items);
    form.reset();  // the answers leave the screen at once
    survey.hidden = true;
    thanks.hidden = false;
    thanks.querySelector("h1").focus();
    thanksTimer = window.setTimeout(backToStart, thanksDelay);
    showStatus();
    flush();
  }, true);  // before survey.js's own handler

  root.querySelector("[data-tablet-restart]").addEventListener("click", backToStart);

  ["pointerdown", "keydown", "input", "change", "scroll"].forEach(function (type) {
    document.addEventListener(type, function () { lastTouch = Date.now(); }, true);
  });
  window.setInterval(function () {
    var started = startedAt !== null || window.surveySteps.current() > 0;
    if (!survey.hidden && started && Date.now() - lastTouch > idleLimit) { backToStart(); }
  }, 1000);
  window.setInterval(function () { if (queue().length) { flush(); } }, 15000);
  window.addEventListener("online", flush);

  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () { /* refused */ });
    });
    document.addEventListener("fullscreenchange", function () {
      fullscreen.hidden = Boolean(document.fullscreenElement);
    });
  }
  showStatus();
  flush();
})();
