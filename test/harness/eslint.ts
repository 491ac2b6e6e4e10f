import * as parser from "@typescript-eslint/parser";
import plugin from "../../rules/index.js";
import { FIXTURES, type LineFinding } from "./expectations.js";

/** The ESLint class of either major: both take the same flat config. */
export interface ESLintLike {
  lintFiles(patterns: string[]): Promise<{ filePath: string; messages: { line: number; messageId?: string; ruleId: string | null; fatal?: boolean; message: string }[] }[]>;
}
export type ESLintConstructor = new (options: Record<string, unknown>) => ESLintLike;

/** Runs the real ESLint class with the plugin's recommended config over files under `cwd`. */
export async function lintWithRecommended(ESLint: ESLintConstructor, files: string[], cwd = FIXTURES, { otherRules = "fail" }: { otherRules?: "fail" | "ignore" } = {}): Promise<Map<string, LineFinding[]>> {
  const eslint = new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser } }, plugin.configs.recommended],
  });
  const results = await eslint.lintFiles(files);
  const byFile = new Map<string, LineFinding[]>();
  for (const result of results) {
    const findings: LineFinding[] = [];
    for (const message of result.messages) {
      if (!message.fatal && !message.ruleId?.startsWith("scope-ceiling/") && otherRules === "ignore") continue;
      if (message.fatal || !message.ruleId?.startsWith("scope-ceiling/")) {
        throw new Error(`${result.filePath}:${String(message.line)}: ${message.ruleId ?? "fatal"}: ${message.message}`);
      }
      findings.push({ line: message.line, messageId: message.messageId ?? "?" });
    }
    byFile.set(result.filePath, findings);
  }
  return byFile;
}
