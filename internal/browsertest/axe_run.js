// Runs axe-core on the whole document with the given tags, and resolves to
// the violations, reduced to what a test report needs. Go calls it as
// (this function)(tags) through Runtime.evaluate with awaitPromise.
(tags) => axe.run(document, {
  runOnly: { type: "tag", values: tags },
  resultTypes: ["violations"],
}).then((result) => result.violations.map((v) => ({
  id: v.id,
  impact: v.impact || "",
  help: v.help,
  helpUrl: v.helpUrl,
  nodes: v.nodes.map((n) => ({
    // A target is a CSS selector, or a list of them for iframes and shadow DOM.
    target: n.target.map((t) => [].concat(t).join(" >>> ")),
    html: n.html,
    failureSummary: n.failureSummary || "",
  })),
})))
