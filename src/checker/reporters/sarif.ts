import { pathToFileURL } from "node:url";
import { RULE_DESCRIPTIONS, type CheckFinding, type CheckResult, type RuleDescription, type TraceStep } from "../findings.js";
import type { Reporter, ReporterContext } from "./index.js";

/**
 * SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).
 *
 * - Every rule of `RULE_DESCRIPTIONS` is listed in `tool.driver.rules`, each result points at its
 *   rule by `ruleId` and `ruleIndex`, and every result has level `error`.
 * - Locations are relative to `%SRCROOT%`, which `originalUriBaseIds` maps to the working
 *   directory, so GitHub resolves them against the repository root when the checker ran there.
 * - `partialFingerprints["scopeCeiling/v1"]` is the checker's fingerprint, which lets GitHub track
 *   an alert across unrelated edits.
 * - A finding's trace becomes one code flow (one thread flow), one location per hop.
 */
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_INFORMATION_URI = "https://github.com/scope-ceiling/scope-ceiling";
export const SARIF_FINGERPRINT_KEY = "scopeCeiling/v1";

const SRCROOT = "%SRCROOT%";

/** Rules whose findings GitHub ranks as security alerts of high severity. */
const SECURITY_SEVERITY: Partial<Record<CheckFinding["ruleId"], string>> = {
  "scope-ceiling/require-within-ceiling": "8.0",
  "scope-ceiling/no-forged-grant": "8.0",
};

// The subset of the SARIF 2.1.0 object model that this reporter writes.

export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly SarifRun[];
}

export interface SarifRun {
  readonly tool: { readonly driver: SarifDriver };
  readonly originalUriBaseIds: Readonly<Record<string, { readonly uri: string }>>;
  readonly columnKind: "utf16CodeUnits";
  readonly results: readonly SarifResult[];
}

export interface SarifDriver {
  readonly name: string;
  readonly version: string;
  readonly semanticVersion: string;
  readonly informationUri: string;
  readonly rules: readonly SarifRule[];
}

export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly helpUri: string;
  readonly help: { readonly text: string; readonly markdown: string };
  readonly defaultConfiguration: { readonly level: "error" };
  readonly properties: { readonly tags: readonly string[]; readonly "security-severity"?: string };
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex?: number;
  readonly level: "error";
  readonly message: { readonly text: string };
  readonly locations: readonly [{ readonly physicalLocation: SarifPhysicalLocation }];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly codeFlows?: readonly SarifCodeFlow[];
}

export interface SarifPhysicalLocation {
  readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
  readonly region: SarifRegion;
}

export interface SarifRegion {
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface SarifCodeFlow {
  readonly threadFlows: readonly [
    {
      readonly locations: readonly {
        readonly location: { readonly physicalLocation: SarifPhysicalLocation; readonly message: { readonly text: string } };
      }[];
    },
  ];
}

export const sarifReporter: Reporter = (result: CheckResult, context: ReporterContext) => {
  const log: SarifLog = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "scope-ceiling",
            version: context.toolVersion,
            semanticVersion: context.toolVersion,
            informationUri: SARIF_INFORMATION_URI,
            rules: RULE_DESCRIPTIONS.map(toSarifRule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(context.cwd) } },
        columnKind: "utf16CodeUnits",
        results: result.findings.map(toSarifResult),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

function toSarifRule(rule: RuleDescription): SarifRule {
  const severity = SECURITY_SEVERITY[rule.id];
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.shortDescription },
    fullDescription: { text: rule.fullDescription },
    helpUri: rule.helpUri,
    help: {
      text: `${rule.help}\n\nSee ${rule.helpUri}`,
      markdown: `${rule.help}\n\nSee [${rule.id}](${rule.helpUri}).`,
    },
    defaultConfiguration: { level: "error" },
    properties: severity === undefined ? { tags: ["security"] } : { tags: ["security"], "security-severity": severity },
  };
}

function toSarifResult(finding: CheckFinding): SarifResult {
  const ruleIndex = RULE_DESCRIPTIONS.findIndex((rule) => rule.id === finding.ruleId);
  const physicalLocation: SarifPhysicalLocation = {
    artifactLocation: artifactLocation(finding.file),
    region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
  };
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex === -1 ? {} : { ruleIndex }),
    level: "error",
    message: { text: finding.message },
    locations: [{ physicalLocation }],
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.trace.length === 0 ? {} : { codeFlows: [codeFlow(finding.trace)] }),
  };
}

function codeFlow(trace: readonly TraceStep[]): SarifCodeFlow {
  return {
    threadFlows: [
      {
        locations: trace.map((step) => ({
          location: {
            physicalLocation: { artifactLocation: artifactLocation(step.file), region: { startLine: step.line, startColumn: step.column } },
            message: { text: step.note },
          },
        })),
      },
    ],
  };
}

function artifactLocation(file: string): SarifPhysicalLocation["artifactLocation"] {
  return { uri: relativeUri(file), uriBaseId: SRCROOT };
}

/**
 * A `/`-separated relative path as a relative URI reference: each segment is percent-encoded where
 * a URI needs it (space, `#`, `?`, `%`, `:`, non-ASCII), so `src/a.ts` stays `src/a.ts`.
 */
function relativeUri(file: string): string {
  return file
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/%(?:24|26|2B|2C|3B|3D|40)/g, decodeURIComponent))
    .join("/");
}

/** The `file:` URL of a directory, ending with `/` as SARIF requires of a uriBaseId's URI. */
function directoryUri(directory: string): string {
  const href = pathToFileURL(directory).href;
  return href.endsWith("/") ? href : `${href}/`;
}
