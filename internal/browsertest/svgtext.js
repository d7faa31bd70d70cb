// Lists every <text> of the first <svg> that matches sel as drawn: its
// font size in CSS px (the computed size scaled by the transforms and
// viewBox above it) and its box against the outermost <svg>'s box and the
// viewport.
(sel) => {
  const svg = document.querySelector(sel);
  if (!svg) return null;
  const outer = svg.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  return Array.from(svg.querySelectorAll("text")).map((e) => {
    const m = e.getScreenCTM();
    const scale = m ? Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d)) : 1;
    const r = e.getBoundingClientRect();
    return {
      text: e.textContent.trim(),
      fontSize: parseFloat(getComputedStyle(e).fontSize) * scale,
      left: r.left, top: r.top, right: r.right, bottom: r.bottom,
      svgLeft: outer.left, svgTop: outer.top, svgRight: outer.right, svgBottom: outer.bottom,
      viewport: vw,
    };
  });
}
