// The MDL panel's HTML document: a strict Content Security Policy (nothing by default, the bundled
// script only with this render's nonce, styles and images only from the webview's own resource
// origin, fonts (the bundled codicons) likewise), the bundled stylesheets, and an empty root the
// script fills. Pure, so tests can load it.

export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/media/panel.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/media/panel.css)` as a string. */
  styleUri: string;
  /** `webview.asWebviewUri(dist/media/codicons/codicon.css)`: the icon font's stylesheet (its font loads from beside it). */
  codiconsUri?: string;
  nonce: string;
  title?: string;
}

/** 32 random alphanumerics from the platform's CSPRNG (Node 20 and browsers both have crypto). */
export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(o.nonce)) throw new Error('renderPanelHtml: the nonce must be at least 16 alphanumerics');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.codiconsUri ? `<link rel="stylesheet" href="${attr(o.codiconsUri)}">\n` : ''}<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>${attr(o.title ?? 'MDL Lab')}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${o.nonce}" src="${attr(o.scriptUri)}"></script>
</body>
</html>`;
}
