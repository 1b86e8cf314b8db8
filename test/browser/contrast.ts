// WCAG 2.x contrast from computed CSS colours: `rgb(r, g, b)` / `rgba(r, g, b, a)`, as Chromium
// reports them for hex and named colours.

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** A computed colour, or null when it is not in rgb()/rgba() form (a test should then fail). */
export function parseColor(value: string): Rgba | null {
  const match =
    /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(
      value.trim(),
    );
  if (!match) return null;
  const alpha = match[4];
  return {
    r: Number(match[1]),
    g: Number(match[2]),
    b: Number(match[3]),
    a:
      alpha === undefined
        ? 1
        : alpha.endsWith('%')
          ? Number(alpha.slice(0, -1)) / 100
          : Number(alpha),
  };
}

/** `top` painted over an opaque `bottom`. */
export function composite(top: Rgba, bottom: Rgba): Rgba {
  const mix = (t: number, b: number) => t * top.a + b * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

/**
 * The opaque colour behind an element: its own and its ancestors' backgrounds (nearest first)
 * painted over each other, down to the first opaque one, else over `canvas`.
 */
export function effectiveBackground(layers: readonly Rgba[], canvas: Rgba): Rgba {
  const stack: Rgba[] = [];
  for (const layer of layers) {
    if (layer.a === 0) continue;
    stack.push(layer);
    if (layer.a >= 1) break;
  }
  let color = stack.at(-1)?.a === 1 ? (stack.pop() as Rgba) : { ...canvas, a: 1 };
  while (stack.length > 0) color = composite(stack.pop() as Rgba, color);
  return color;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance({ r, g, b }: Rgba): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** 1 to 21. A translucent `foreground` is first painted over `background`. */
export function contrastRatio(foreground: Rgba, background: Rgba): number {
  const fg = foreground.a < 1 ? composite(foreground, background) : foreground;
  const [light, dark] = [relativeLuminance(fg), relativeLuminance(background)].sort(
    (x, y) => y - x,
  ) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export function toHex({ r, g, b }: Rgba): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}
