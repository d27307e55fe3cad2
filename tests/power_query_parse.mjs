// Parse Power Query (M) text with Microsoft's own parser, @microsoft/powerquery-parser (pinned in package.json).
// Usage: node tests/power_query_parse.mjs FILE   (or the text on standard input when FILE is "-")
// Prints one line of JSON and exits 0 when the text lexes and parses, 1 with the parser's message when it does not.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { DefaultSettings, Task, TaskUtils } = require("@microsoft/powerquery-parser");

const path = process.argv[2];
if (!path) {
  console.error("Usage: node tests/power_query_parse.mjs FILE");
  process.exit(2);
}
const text = readFileSync(path === "-" ? 0 : path, "utf8");
const task = await TaskUtils.tryLexParse(DefaultSettings, text);
if (TaskUtils.isParseStageOk(task)) {
  console.log(JSON.stringify({ ok: true }));
  process.exit(0);
}
const error = task.error ?? {};
console.log(JSON.stringify({ ok: false, stage: task.stage, message: String(error.message ?? error) }));
process.exit(1);
