// Builds consult/static/ from the govuk-frontend npm package: CSS (compiled with Dart Sass,
// de-branded) and the ES module JavaScript. Run by `npm run build` (the Makefile calls it).
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "consult/static";
mkdirSync(out, { recursive: true });

const css = sass.compile("assets/consult.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/consult.css`, css.css);

copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
writeFileSync(
  `${out}/consult.js`,
  'import { initAll } from "./govuk-frontend.min.js";\ninitAll();\n',
);
console.log(`built ${out}/consult.css and ${out}/consult.js`);
