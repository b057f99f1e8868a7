// foramen: progressive enhancement only. Every page works without this file.
// - "/" focuses the search box; ↑/↓ move between results; Enter opens the focused one.
// - Typing in the box shows results from /api/search after a short pause.
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
  if (input && live) {
    const count = live.querySelector("#result-count");
    const body = live.querySelector("[data-live-body]");
    const initialQuery = input.value;
    const initialBody = body ? Array.from(body.childNodes) : [];
    const initialCount = count ? count.textContent : "";
    const onResultsPage = window.location.pathname === "/search";
    let timer = 0;
    let inflight = null;

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => update(input.value), DEBOUNCE_MS);
    });

    async function update(q) {
      if (inflight) inflight.abort();
      if (onResultsPage) {
        const url = q.trim() ? "/search?" + new URLSearchParams({ q }) : "/search";
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
      let data;
      try {
        const params = new URLSearchParams({ q, limit: String(LIVE_LIMIT), prefix: "1" });
        const response = await fetch("/api/search?" + params, { signal: inflight.signal });
        data = await response.json();
        if (!response.ok) {
          count.textContent = data.error || "The search failed.";
          body.replaceChildren();
          return;
        }
      } catch (error) {
        if (error.name !== "AbortError") count.textContent = "The search failed; press Enter to retry.";
        return;
      }
      render(data, q);
    }

    function render(data, q) {
      const plural = data.total === 1 ? "" : "s";
      count.textContent = data.total
        ? `${data.total} section${plural} for “${q}”`
        : `No sections match “${q}”`;
      const nodes = [];
      if (data.suggestion) {
        // Corrected: the results are already the suggestion's, so say so (as the results
        // page does) and offer the words as typed; otherwise it is only a suggestion.
        const p = el("p", "suggestion", data.corrected ? "Showing results for " : "Did you mean ");
        const a = el("a", "", "");
        a.href = "/search?" + new URLSearchParams({ q: data.suggestion });
        a.append(el("strong", "", data.suggestion));
        if (data.corrected) {
          const exact = el("a", "", q);
          exact.href = "/search?" + new URLSearchParams({ q, exact: "1" });
          exact.dataset.exact = "";
          p.append(a, "; search instead for ", exact, ".");
        } else {
          a.dataset.suggestion = "";
          p.append(a, "?");
        }
        nodes.push(p);
      }
      if (data.results.length) {
        const list = el("ol", "results", "");
        list.dataset.results = "";
        for (const hit of data.results) list.append(resultItem(hit, q));
        nodes.push(list);
      }
      const more = el("p", "see-all", "");
      const all = el("a", "", data.total > data.results.length
        ? `See all ${data.total} results with filters`
        : "Open the results page");
      all.href = "/search?" + new URLSearchParams({ q });
      more.append(all);
      nodes.push(more);
      body.replaceChildren(...nodes);
    }

    function resultItem(hit, q) {
      const li = el("li", "result", "");
      li.dataset.sectionId = hit.id;
      const link = el("a", "result-link", "");
      const [path, fragment] = hit.url.split("#");
      link.href = `${path}?${new URLSearchParams({ q })}#${fragment}`;
      const title = el("h2", "result-title", "");
      title.append(...markWords(hit.title, wordsToMark(q, hit.snippet)));
      link.append(title);
      li.append(link);
      if (hit.path.length) {
        const crumbs = el("p", "crumbs", "");
        hit.path.forEach((part, i) => {
          if (i) crumbs.append(el("span", "crumb-sep", " › "));
          const span = el("span", "", shortLabel(part));
          span.title = part;
          crumbs.append(span);
        });
        li.append(crumbs);
      }
      const snippet = el("p", "snippet", "");
      snippet.append(...markedText(hit.snippet));
      li.append(snippet);
      return li;
    }
  }

  // The API's snippet is escaped text with <mark> around matches. Rebuild it from text
  // nodes and <mark> elements only, so nothing else could ever reach the page.
  function markedText(html) {
    const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
    return Array.from(doc.body.firstChild.childNodes).map((node) =>
      node.nodeName === "MARK" ? el("mark", "", node.textContent) : document.createTextNode(node.textContent));
  }

  // The server marks headings with its stemmer; here a preview marks a heading's words
  // that the snippet marked or that share a stem-like start with a word of the query.
  function wordsToMark(q, snippetHtml) {
    const words = new Set(q.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 1));
    for (const node of markedText(snippetHtml)) {
      if (node.nodeName === "MARK") words.add(node.textContent.toLowerCase());
    }
    return words;
  }

  function markWords(text, words) {
    const matches = (word) => {
      const w = word.toLowerCase();
      for (const q of words) {
        if (w === q) return true;
        const [short, long] = w.length < q.length ? [w, q] : [q, w];
        if (short.length >= 4 && long.startsWith(short)) return true;
      }
      return false;
    };
    return text.split(/([\p{L}\p{N}’']+)/u).filter(Boolean).map((part) =>
      matches(part) ? el("mark", "", part) : document.createTextNode(part));
  }

  // Same rule as the server's short_label: "Drugs for Unilateral Foraminal …" -> "Drugs".
  function shortLabel(heading) {
    const match = /\s+(?:of|for)\s+/i.exec(heading);
    if (!match) return heading;
    const tail = heading.slice(match.index + match[0].length).split(/\s+/).filter(Boolean);
    return tail.length >= 3 ? heading.slice(0, match.index) : heading;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
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
