// foramen: progressive enhancement only. Every page works without this file.
// - "/" focuses the search box; ↑/↓ move between results; Enter opens the focused one.
// - Typing in the box shows the server's live results (/search/live) after a short pause.
// - On an article, the section named by the URL's #fragment gets the class "is-target".
"use strict";

(function () {
  const DEBOUNCE_MS = 180;
  const LIVE_LIMIT = 10;

  const input = document.querySelector("[data-search-input]");
  const live = document.querySelector("[data-live-results]");

  // --- "/" focuses the box --------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !input) return;
    const target = event.target;
    const typing = target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  // --- ↑/↓ between the box and the results ----------------------------------------------
  function resultLinks() {
    return Array.from(document.querySelectorAll(".results .result-link"));
  }

  function focusResult(link) {
    document.querySelectorAll(".result.is-active").forEach((li) => li.classList.remove("is-active"));
    if (!link) return;
    link.closest(".result")?.classList.add("is-active");
    link.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const links = resultLinks();
    if (!links.length) return;
    const here = links.indexOf(document.activeElement);
    if (document.activeElement === input) {
      if (event.key !== "ArrowDown") return;
      event.preventDefault();
      focusResult(links[0]);
    } else if (here >= 0) {
      event.preventDefault();
      if (event.key === "ArrowDown") {
        focusResult(links[Math.min(here + 1, links.length - 1)]);
      } else if (here === 0 && input) {
        focusResult(null);
        input.focus();
      } else {
        focusResult(links[here - 1]);
      }
    }
  });

  // --- Search as you type ---------------------------------------------------------------
  // The server renders the live results (its _live.html: the results page's own partials,
  // headings highlighted by its analyser); this only swaps them in.
  if (input && live && live.dataset.liveUrl) {
    const count = live.querySelector("#result-count");
    const body = live.querySelector("[data-live-body]");
    const initialQuery = input.value;
    const initialBody = body ? Array.from(body.childNodes) : [];
    const initialCount = count ? count.textContent : "";
    const resultsPath = input.form ? new URL(input.form.action).pathname : "";
    const onResultsPage = window.location.pathname === resultsPath;
    let timer = 0;
    let inflight = null;

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => update(input.value), DEBOUNCE_MS);
    });

    async function update(q) {
      if (inflight) inflight.abort();
      if (onResultsPage) {
        const url = q.trim() ? resultsPath + "?" + new URLSearchParams({ q }) : resultsPath;
        window.history.replaceState(null, "", url);
      }
      if (q === initialQuery) {
        body.replaceChildren(...initialBody);
        count.textContent = initialCount;
        return;
      }
      if (!q.trim()) {
        body.replaceChildren();
        count.textContent = "";
        return;
      }
      inflight = new AbortController();
      let html;
      try {
        const params = new URLSearchParams({ q, limit: String(LIVE_LIMIT), prefix: "1" });
        const response = await fetch(live.dataset.liveUrl + "?" + params, { signal: inflight.signal });
        html = await response.text();
      } catch (error) {
        if (error.name !== "AbortError") count.textContent = "The search failed; press Enter to retry.";
        return;
      }
      const fragment = new DOMParser().parseFromString(html, "text/html");
      const freshCount = fragment.querySelector("[data-live-count]");
      const freshBody = fragment.querySelector("[data-live-body]");
      count.textContent = freshCount ? freshCount.textContent.trim() : "The search failed.";
      body.replaceChildren(...(freshBody ? Array.from(freshBody.childNodes) : []));
    }
  }

  // --- Mark the landed section --------------------------------------------------------
  function markTarget() {
    document.querySelectorAll(".doc-section.is-target").forEach((s) => s.classList.remove("is-target"));
    const id = decodeURIComponent(window.location.hash.slice(1));
    const heading = id && document.getElementById(id);
    heading?.closest(".doc-section")?.classList.add("is-target");
  }
  if (document.querySelector(".doc")) {
    markTarget();
    window.addEventListener("hashchange", markTarget);
  }
})();
