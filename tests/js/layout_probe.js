// Measures the report's layout in the browser (run by tests/test_report_layout.py through the
// DevTools protocol, which the page's Content-Security-Policy does not govern): the boxes of every
// rendered text, words broken across lines, and the charts' bars and whiskers.
() => {
  const page = (b) => ({ x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height });
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  let id = 0;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest("title")) continue;
    id++;
    const text = node.textContent.trim().slice(0, 60);
    const svg = parent instanceof SVGElement;
    // SVG text: the element's box (a range's boxes ignore textLength); HTML: one box a line.
    let rects;
    if (svg) {
      rects = [parent.getBoundingClientRect()];
    } else {
      const range = document.createRange();
      range.selectNodeContents(node);
      rects = [...range.getClientRects()];
    }
    for (const b of rects) {
      if (b.width < 0.5 || b.height < 0.5) continue;
      boxes.push({ id, text, svg, cls: parent.getAttribute("class") || "", ...page(b) });
    }
  }
  // Pieces that must stay on one line: a header's words, a cell's runs of letters and digits
  // (a break after a hyphen or a colon is allowed there), and ids.
  const broken = [];
  const lines = (range) =>
    new Set([...range.getClientRects()].filter((b) => b.width > 0.5).map((b) => Math.round(b.top))).size;
  // A cell's text as one string (a word may span text nodes split by <wbr>), with a range for
  // any part of it.
  const check = (root, pattern, what) => {
    const nodes = [];
    let text = "";
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let t;
    while ((t = w.nextNode())) {
      // Text split by <wbr> continues a word; any other boundary (<br>, an element) ends it.
      const prev = nodes.length ? nodes[nodes.length - 1].node : null;
      if (prev && !(prev.nextSibling && prev.nextSibling.nodeName === "WBR")) text += " ";
      nodes.push({ node: t, start: text.length });
      text += t.textContent;
    }
    const at = (offset, end) => {
      // The node holding `offset` (for an end, the node it ends in).
      let i = nodes.length - 1;
      while (i > 0 && (end ? nodes[i].start >= offset : nodes[i].start > offset)) i--;
      return [nodes[i].node, offset - nodes[i].start];
    };
    for (const m of text.matchAll(pattern)) {
      if (m[0].length > 20) continue; // digests and long tokens may wrap (as the report allows)
      // Scripts written without spaces (Han, Kana, Hangul, Thai) break between characters.
      if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u.test(m[0])) continue;
      const range = document.createRange();
      range.setStart(...at(m.index, false));
      range.setEnd(...at(m.index + m[0].length, true));
      if (lines(range) > 1) broken.push(`${what}: ${m[0]}`);
    }
  };
  document.querySelectorAll("th").forEach((c) => check(c, /\S+/g, "header word"));
  document.querySelectorAll("td").forEach((c) => check(c, /[\p{L}\p{N}]+/gu, "cell word"));
  document.querySelectorAll(".id").forEach((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    if (lines(range) > 1) broken.push(`id: ${el.textContent}`);
  });
  const shapes = [...document.querySelectorAll("svg .c-bar, svg .c-whisker")].map((el) => ({
    cls: el.getAttribute("class"),
    ...page(el.getBoundingClientRect()),
  }));
  const bars = [...document.querySelectorAll("svg .c-bar")].map((el) => el.getBoundingClientRect().width);
  return {
    boxes,
    broken,
    shapes,
    bars,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth,
  };
}
