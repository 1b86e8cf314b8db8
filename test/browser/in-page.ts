// Functions that run INSIDE the page (handed to page.evaluate, so they must be self-contained:
// no imports, no outer variables), and what they return. The project compiles without the DOM
// library, so the little of the DOM they use is declared here, for this module only.

interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}

interface PageNode {
  nodeType: number;
  textContent: string | null;
}

interface PageElement extends PageNode {
  tagName: string;
  parentElement: PageElement | null;
  children: ArrayLike<PageElement>;
  childNodes: ArrayLike<PageNode>;
  classList: ArrayLike<string>;
  style: Record<string, string>;
  getBoundingClientRect(): Rect;
  checkVisibility(options: { checkOpacity: boolean; checkVisibilityCSS: boolean }): boolean;
  getAttribute(name: string): string | null;
  appendChild(child: PageElement): void;
  remove(): void;
}

declare const document: {
  documentElement: PageElement & { scrollWidth: number };
  body: PageElement & { scrollWidth: number };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createElement(tag: string): PageElement;
};

declare const window: {
  innerWidth: number;
  getComputedStyle(element: PageElement): {
    color: string;
    backgroundColor: string;
    fontSize: string;
    fontWeight: string;
  };
};

export interface PageWidth {
  scrollWidth: number;
  bodyScrollWidth: number;
  innerWidth: number;
}

export function measureWidth(): PageWidth {
  return {
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    innerWidth: window.innerWidth,
  };
}

export interface FoundText {
  text: string;
  /** Innermost elements whose whole text is `text`. */
  count: number;
  /** The first one's box and visibility. */
  rect: Rect | null;
  visible: boolean;
}

/** Where each of `texts` is in the page (whitespace collapsed), found by text, not by markup. */
export function findTexts(texts: string[]): FoundText[] {
  const norm = (value: string | null) => (value ?? '').replace(/\s+/g, ' ').trim();
  const byText = new Map<string, PageElement[]>();
  const wanted = new Set(texts.map(norm));
  for (const element of Array.from(document.querySelectorAll('body *'))) {
    const text = norm(element.textContent);
    if (!wanted.has(text)) continue;
    // Innermost only: the <a> of `<h2><a>Title</a></h2>`, not the <h2> too.
    if (Array.from(element.children).some((child) => norm(child.textContent) === text)) continue;
    byText.set(text, [...(byText.get(text) ?? []), element]);
  }
  return texts.map((text) => {
    const found = byText.get(norm(text)) ?? [];
    const first = found[0];
    if (!first) return { text, count: 0, rect: null, visible: false };
    const r = first.getBoundingClientRect();
    return {
      text,
      count: found.length,
      rect: {
        left: r.left,
        right: r.right,
        top: r.top,
        bottom: r.bottom,
        width: r.width,
        height: r.height,
      },
      visible: first.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }),
    };
  });
}

export interface TextElement {
  /** e.g. `.pb-card h2 > a`: the template's `pb-` classes around it, then its last two tags. */
  label: string;
  /** Its own text (not its children's), whitespace collapsed. */
  text: string;
  color: string;
  /** background-color of the element and each ancestor up to the root, nearest first. */
  backgrounds: string[];
  /** What shows through when every one of them is transparent: the Canvas system colour. */
  canvas: string;
  fontSize: string;
  fontWeight: string;
  rect: Rect;
}

/** Every visible element that holds text of its own, with the colours that decide its contrast. */
export function textElements(): TextElement[] {
  const probe = document.createElement('div');
  probe.style.backgroundColor = 'Canvas';
  document.body.appendChild(probe);
  const canvas = window.getComputedStyle(probe).backgroundColor;
  probe.remove();

  const describe = (element: PageElement) => {
    const classes = Array.from(element.classList);
    return `${element.tagName.toLowerCase()}${classes.map((c) => `.${c}`).join('')}`;
  };
  const out: TextElement[] = [];
  for (const element of Array.from(document.querySelectorAll('body *'))) {
    const own = Array.from(element.childNodes)
      .filter((node) => node.nodeType === 3)
      .map((node) => node.textContent ?? '')
      .join('')
      .replace(/\s+/g, ' ')
      .trim();
    if (!own) continue;
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const r = element.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const backgrounds: string[] = [];
    const path: string[] = [];
    const owners: string[] = [];
    let depth = 0;
    for (let at: PageElement | null = element; at; at = at.parentElement, depth++) {
      backgrounds.push(window.getComputedStyle(at).backgroundColor);
      if (depth < 2) path.unshift(describe(at));
      const pb = Array.from(at.classList).find((c) => c.startsWith('pb-') && c !== 'pb-body');
      if (pb && depth >= 2) owners.unshift(`.${pb}`);
    }
    const style = window.getComputedStyle(element);
    out.push({
      label: [...owners, path.join(' > ')].join(' '),
      text: own,
      color: style.color,
      backgrounds,
      canvas,
      fontSize: style.fontSize,
      fontWeight: style.fontWeight,
      rect: {
        left: r.left,
        right: r.right,
        top: r.top,
        bottom: r.bottom,
        width: r.width,
        height: r.height,
      },
    });
  }
  return out;
}
