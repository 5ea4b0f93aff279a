/**
 * `GET /docs`: the OpenAPI document as one self-contained HTML page (no script, no CDN, works
 * offline), rendered from OPEN_API_DOCUMENT when the server starts, so the page and
 * `/openapi.json` never disagree. Every route with its summary, parameters and answers.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema?: { readonly type?: string; readonly enum?: readonly string[] };
}

interface Operation {
  readonly summary?: string;
  readonly parameters?: readonly Parameter[];
  readonly responses?: Record<string, { readonly description?: string }>;
}

interface Document {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Record<string, Record<string, Operation>>;
}

function parameterRow(p: Parameter): string {
  const type = p.schema?.enum ? p.schema.enum.join(' | ') : (p.schema?.type ?? '');
  return `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}${p.required ? ', required' : ''}</td><td>${escapeHtml(type)}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`;
}

function operationSection(path: string, method: string, op: Operation): string {
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-');
  const parameters = op.parameters ?? [];
  const responses = Object.entries(op.responses ?? {});
  return `<section id="${escapeHtml(id)}">
<h2><span class="method">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary ?? '')}</p>
${parameters.length === 0 ? '' : `<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr></thead><tbody>${parameters.map(parameterRow).join('')}</tbody></table>`}
${responses.length === 0 ? '' : `<ul>${responses.map(([status, r]) => `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description ?? '')}</li>`).join('')}</ul>`}
</section>`;
}

export function renderDocsPage(document: Document): string {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} — API</title>
<style>
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
td, th { border: 1px solid #8884; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
.method { font-size: 0.8rem; padding: 0.1rem 0.4rem; border-radius: 0.25rem; background: #2a7; color: #fff; }
section { border-top: 1px solid #8884; margin-top: 1.5rem; }
nav li code { font-size: 0.85rem; }
</style></head>
<body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${escapeHtml(document.info.description ?? '')} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<nav><ul>${operations.map(({ path, method }) => `<li><a href="#${escapeHtml(`${method}-${path}`.replace(/[^a-z0-9]+/gi, '-'))}"><code>${escapeHtml(path)}</code></a></li>`).join('')}</ul></nav>
${operations.map(({ path, method, op }) => operationSection(path, method, op)).join('\n')}
</body></html>
`;
}
