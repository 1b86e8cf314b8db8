import { describe, expect, it } from 'vitest';
import { contrastRatio, effectiveBackground, parseColor, type Rgba, toHex } from './contrast.js';

const rgb = (r: number, g: number, b: number, a = 1): Rgba => ({ r, g, b, a });
const WHITE = rgb(255, 255, 255);
const BLACK = rgb(0, 0, 0);

describe('contrast (WCAG 2)', () => {
  it('parses the colours Chromium computes', () => {
    expect(parseColor('rgb(87, 96, 106)')).toEqual(rgb(87, 96, 106));
    expect(parseColor('rgba(0, 0, 0, 0)')).toEqual(rgb(0, 0, 0, 0));
    expect(parseColor('rgba(10, 20, 30, 0.5)')).toEqual(rgb(10, 20, 30, 0.5));
    expect(parseColor('rgb(10 20 30 / 50%)')).toEqual(rgb(10, 20, 30, 0.5));
    expect(parseColor('color(srgb 1 0 0)')).toBeNull();
  });

  it('gives the known ratios', () => {
    expect(contrastRatio(BLACK, WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(WHITE, WHITE)).toBeCloseTo(1, 5);
    // #777 on white: the classic just-fails-AA grey.
    expect(contrastRatio(rgb(119, 119, 119), WHITE)).toBeCloseTo(4.48, 2);
    // Order does not matter.
    expect(contrastRatio(WHITE, rgb(5, 80, 174))).toBeCloseTo(
      contrastRatio(rgb(5, 80, 174), WHITE),
    );
  });

  it('finds the background through transparent and translucent layers', () => {
    const clear = rgb(0, 0, 0, 0);
    expect(effectiveBackground([clear, rgb(22, 27, 34), WHITE], WHITE)).toEqual(rgb(22, 27, 34));
    expect(effectiveBackground([clear, clear], rgb(18, 18, 18))).toEqual(rgb(18, 18, 18));
    expect(toHex(effectiveBackground([rgb(0, 0, 0, 0.5), WHITE], BLACK))).toBe('#808080');
  });

  it('paints translucent text over its background first', () => {
    expect(contrastRatio(rgb(0, 0, 0, 0), WHITE)).toBeCloseTo(1, 5);
  });
});
