// ESLint flat config for the web player (src/articleaudio/web/assets/) and its
// Node tests. The player's modules are assembled into one classic script by
// player.py, which understands only `import { … } from "./x.js";` and
// `export function|class|const …`: the syntax rules below keep them to that.
import js from "@eslint/js";
import globals from "globals";

const ASSEMBLY = "player.py assembles the player from plain named imports and exports";
// Article text must never be parsed as HTML (player.py's docstring; the browser
// tests feed it hostile titles and sentences).
const HTML_SINKS = ["innerHTML", "outerHTML", "insertAdjacentHTML"].map((property) => ({
  property,
  message: "Set article text with textContent; it must never be parsed as HTML.",
}));

export default [
  { ignores: ["node_modules/", ".venv/", "build/", "dist/", "output/", "tests/artifacts/"] },
  js.configs.recommended,
  {
    rules: {
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      "object-shorthand": "error",
      // The house style's limits (../shared/STYLE.md), as for the Python code.
      "max-params": ["error", 5],
      "max-lines-per-function": ["error", { max: 40, skipBlankLines: true, skipComments: true }],
      "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ["src/articleaudio/web/assets/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
    rules: {
      "no-restricted-properties": ["error", ...HTML_SINKS],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: ASSEMBLY },
        { selector: "ExportAllDeclaration", message: ASSEMBLY },
        { selector: "ExportNamedDeclaration[declaration=null]", message: ASSEMBLY },
        { selector: "ImportNamespaceSpecifier", message: ASSEMBLY },
        { selector: "ImportDefaultSpecifier", message: ASSEMBLY },
        { selector: "ImportDeclaration[source.value!=/^\\.\\/[\\w-]+\\.js$/]", message: ASSEMBLY },
        { selector: "ImportExpression", message: ASSEMBLY },
      ],
    },
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
    // A describe() block holds its tests; its length is theirs.
    rules: { "max-lines-per-function": "off" },
  },
];
