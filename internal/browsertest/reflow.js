// Measures what makes the page scroll sideways at the current viewport: the
// document's widths and the elements that stick out to the right of the
// viewport. It names the outermost element whose box is too wide or too far
// right, and the innermost one whose content spills out of a box that fits
// (a word too long to wrap). An element inside a box that scrolls or clips
// its overflow (a table in its own scrolling region, the parts of an <svg>)
// is that box's business, so it is not listed; the box is.
() => {
  const root = document.documentElement;
  const vw = root.clientWidth;
  // contained tells whether a box that scrolls or clips its overflow holds
  // e: one on e's chain of containing blocks, which skips the static
  // ancestors of an absolutely positioned element (a visually hidden text
  // inside a scrolling table still widens the page, unless the region is
  // positioned).
  const contained = (e) => {
    let pos = getComputedStyle(e).position;
    for (let a = e.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
      const s = getComputedStyle(a);
      const holds = pos === "fixed" ? s.transform !== "none"
        : pos === "absolute" ? s.position !== "static" || s.transform !== "none"
        : true;
      if (!holds) continue;
      if (s.overflowX !== "visible") return true;
      pos = s.position;
    }
    return false;
  };
  const name = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += "#" + e.id;
    for (const c of e.classList) s += "." + c;
    return s;
  };
  const viewportMeta = document.querySelector('meta[name="viewport"]');
  const boxes = new Set();
  const spills = [];
  const found = [];
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= 0) continue; // not drawn, or moved off the left on purpose
    if (contained(e)) continue;
    const overflows = getComputedStyle(e).overflowX === "visible" && e.scrollWidth > e.clientWidth + 1;
    const reach = overflows ? Math.max(r.right, r.left + e.scrollWidth) : r.right;
    const o = { e, width: Math.round(Math.max(r.width, reach - r.left)), right: Math.round(reach) };
    if (r.right > vw + 0.5 || r.width > vw + 0.5) {
      boxes.add(e);
      if (!boxes.has(e.parentElement)) found.push(o);
    } else if (reach > vw + 0.5) {
      spills.push(o);
    }
  }
  for (const o of spills) {
    const hasInner = spills.some((p) => p !== o && o.e.contains(p.e)) || [...boxes].some((b) => o.e.contains(b));
    if (!hasInner) found.push(o);
  }
  if (found.length === 0 && root.scrollWidth > vw) {
    // Something contained still widens the page: name the farthest reaching.
    let far = null;
    for (const e of document.body.querySelectorAll("*")) {
      const r = e.getBoundingClientRect();
      if (!far || r.right > far.right) far = { e, width: Math.round(r.width), right: Math.round(r.right) };
    }
    if (far) found.push(far);
  }
  return {
    viewportMeta: viewportMeta ? viewportMeta.content : "",
    clientWidth: vw, scrollWidth: root.scrollWidth, innerWidth: window.innerWidth,
    offenders: found.map((o) => ({
      element: name(o.e),
      text: (o.e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60),
      width: o.width,
      right: o.right,
    })),
  };
}
