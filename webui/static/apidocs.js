// The API docs page: one form per operation of /openapi.json; "Send" shows the answer.
// Everything is built with DOM calls and textContent: nothing from the document or the
// answers is ever parsed as HTML.
(function () {
  "use strict";

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
    (children || []).forEach((child) =>
      node.append(typeof child === "string" ? document.createTextNode(child) : child));
    return node;
  }

  function resolve(document, schema) {
    const ref = schema && schema.$ref;
    return ref ? ref.split("/").slice(1).reduce((node, key) => node[key], document) : schema;
  }

  function schemaTable(document, schema) {
    const resolved = resolve(document, schema) || {};
    const properties = resolved.properties || {};
    const required = new Set(resolved.required || []);
    const rows = Object.entries(properties).map(([name, property]) => {
      const shown = resolve(document, property) || {};
      const type = shown.type === "array" ? "array" : shown.type || (property.$ref ? property.$ref.split("/").pop() : "");
      return el("tr", {}, [
        el("th", { scope: "row" }, [el("code", {}, [name])]),
        el("td", {}, [type + (shown.nullable ? " or null" : "") + (required.has(name) ? "" : " (optional)")]),
        el("td", {}, [shown.description || ""]),
      ]);
    });
    if (!rows.length) return null;
    return el("table", { class: "api-schema" }, [
      el("thead", {}, [el("tr", {}, [
        el("th", { scope: "col" }, ["Field"]), el("th", { scope: "col" }, ["Type"]),
        el("th", { scope: "col" }, ["Meaning"]),
      ])]),
      el("tbody", {}, rows),
    ]);
  }

  function operationSection(document, path, method, operation, number) {
    const prefix = "op" + number;
    const inputs = [];
    const fields = (operation.parameters || []).map((parameter) => {
      const id = prefix + "-" + parameter.name;
      const schema = parameter.schema || {};
      const input = el("input", {
        id: id, name: parameter.name, type: schema.type === "integer" ? "number" : "text",
        placeholder: schema.default !== undefined ? String(schema.default) : "",
      });
      if (parameter.required) input.required = true;
      inputs.push([parameter, input]);
      const hint = [parameter.in, schema.type].concat(parameter.description ? [parameter.description] : []);
      return el("p", { class: "api-field" }, [
        el("label", { for: id }, [el("code", {}, [parameter.name])]), " ", input,
        el("span", { class: "api-hint" }, [" " + hint.join(" · ")]),
      ]);
    });
    const output = el("pre", { class: "api-output", tabindex: "0", "aria-label": "Answer" }, []);
    const status = el("p", { class: "api-status", role: "status", "aria-live": "polite" }, []);
    const form = el("form", { class: "api-form" }, fields.concat([
      el("button", { type: "submit", class: "search-button" }, ["Send"]), status, output,
    ]));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      inputs.forEach(([parameter, input]) => {
        if (parameter.in === "path") url = url.replace("{" + parameter.name + "}", encodeURIComponent(input.value));
        else if (input.value !== "") query.append(parameter.name, input.value);
      });
      const target = url + (query.toString() ? "?" + query : "");
      status.textContent = "GET " + target + " …";
      try {
        const response = await fetch(target, { headers: { Accept: "application/json" } });
        const text = await response.text();
        let body = text;
        try { body = JSON.stringify(JSON.parse(text), null, 2); } catch (error) { /* not JSON: show as is */ }
        status.textContent = "GET " + target + " → " + response.status +
          (response.headers.get("ETag") ? " · ETag " + response.headers.get("ETag") : "");
        output.textContent = body;
      } catch (error) {
        status.textContent = "GET " + target + " failed: " + error;
      }
    });
    const responses = Object.entries(operation.responses || {}).map(([code, answer]) => {
      const schema = answer.content && answer.content["application/json"] && answer.content["application/json"].schema;
      const table = schema ? schemaTable(document, schema) : null;
      return el("li", {}, [el("strong", {}, [code]), " " + (answer.description || "")].concat(table ? [table] : []));
    });
    return el("section", { class: "api-operation", "aria-labelledby": prefix }, [
      el("h2", { id: prefix }, [el("code", {}, [method.toUpperCase() + " " + path])]),
      el("p", {}, [operation.summary || ""]),
      form,
      el("h3", {}, ["Answers"]),
      el("ul", { class: "api-responses" }, responses),
    ]);
  }

  async function main() {
    const root = document.getElementById("api-operations");
    if (!root) return;
    try {
      const response = await fetch(root.dataset.openapi);
      const document = await response.json();
      let number = 0;
      Object.entries(document.paths).forEach(([path, methods]) => {
        Object.entries(methods).forEach(([method, operation]) => {
          number += 1;
          root.append(operationSection(document, path, method, operation, number));
        });
      });
    } catch (error) {
      root.append(el("p", { class: "notice notice--problem", role: "alert" }, ["Could not read the API description: " + error]));
    }
  }

  main();
})();
