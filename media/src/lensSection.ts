// <lens-section>: vscode-collapsible whose heading keeps its case. The stock element upper-cases
// its heading (sidebar style), which turns an SMMU named `smmuA` into `SMMUA`; scenario names are
// identifiers and must read as written.
import { VscodeCollapsible } from '@vscode-elements/elements/dist/vscode-collapsible/index.js';

const keepCase = new CSSStyleSheet();
keepCase.replaceSync('.title { text-transform: none; font-size: 12px; } .title .description { font-size: 11px; }');

export class LensSection extends VscodeCollapsible {
  static override styles = [VscodeCollapsible.styles, keepCase];
}

if (!customElements.get('lens-section')) customElements.define('lens-section', LensSection);
