import { z } from "zod";

/**
 * The one configuration of both engines: the ESLint rule's options object and the
 * checker's `scope-ceiling.config.json`. JSON Schema for ESLint and editors is derived from it.
 */

/** `0.scope`, `0.data.scope`, `0.data[].scope`, `0[].scope`: an argument index, then properties; `[]` is "each row". */
const SCOPE_PATH = /^\d+(?:\[\])?(?:\.[^.[\]\s]+(?:\[\])?)*$/;
/** `OAuthAccessToken.create`, `**.adapter.create`, `**.oAuthAccessToken.*`, `new SignJWT`. */
const CALLEE_PATTERN = /^(?:new [A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*|(?:\*\*\.)?(?:[A-Za-z_$][\w$]*|\*)(?:\.(?:[A-Za-z_$][\w$]*|\*))*)$/;

const oneOrMore = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const sinkSchema = z
  .object({
    callee: oneOrMore(z.string().regex(CALLEE_PATTERN, "a dotted path such as \"OAuthAccessToken.create\", \"**.adapter.create\" or \"new SignJWT\"")).describe(
      'The token-creating call: a dotted path; a leading "**." matches any receiver, "*" any one segment, "new X" a constructor call.',
    ),
    scope: oneOrMore(z.string().regex(SCOPE_PATH, 'an argument index then property names, such as "0.scope" or "0.data[].scope"')).describe(
      'Where the scope lives in the arguments: "0.scope", "0.data.scope", "0.data[].scope" for an array of rows.',
    ),
    where: z
      .record(z.string().regex(SCOPE_PATH), z.string())
      .optional()
      .describe('Argument paths that must equal a string (or a member expression whose last property is that name), e.g. { "0.model": "oauthAccessToken" }.'),
    scopeRequired: z
      .boolean()
      .optional()
      .describe("Whether a call that writes no scope is reported (missingScope). Default true; false for update-like sinks that may write none."),
    from: z
      .string()
      .min(1)
      .optional()
      .describe('The module the callee\'s root must be imported from, e.g. "jsonwebtoken"; a default or namespace import then stands for the module itself.'),
    receiverType: z.string().min(1).optional().describe('Checker only: the receiver\'s type, e.g. "Repository<OAuthAccessToken>".'),
  })
  .strict();

export const guardSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z_$][\w$]*$/, "a function name").describe("The guard function's name (the exported name when `from` is given)."),
    from: z.string().min(1).optional().describe("A package name or a path relative to the config file; when given, only that import counts."),
    kind: z
      .enum(["returns", "asserts", "predicate"])
      .describe("returns: its result is the granted scope; asserts: throws unless its argument is within the ceiling; predicate: returns whether it is."),
    argument: z.number().int().min(0).optional().describe("For asserts and predicate guards: the index of the checked argument. Default 0."),
  })
  .strict();

export const PRESET_NAMES = ["default", "better-auth", "jwt"] as const;

export const optionsSchema = z
  .object({
    $schema: z.string().optional().describe("The JSON Schema of this file, for editors."),
    presets: z.array(z.enum(PRESET_NAMES)).optional().describe('Built-in sink sets. Default ["default"]; [] for none.'),
    sinks: z.array(sinkSchema).optional().describe("More sinks, added to the presets."),
    guards: z.array(guardSchema).optional().describe("More guards; withinCeiling from scope-ceiling is always one."),
  })
  .strict();

export type SinkConfig = z.infer<typeof sinkSchema>;
export type GuardConfig = z.infer<typeof guardSchema>;
export type ScopeCeilingOptions = z.infer<typeof optionsSchema>;
export type PresetName = (typeof PRESET_NAMES)[number];

/** JSON Schema (draft-07) of the options, without `$schema`: what ESLint's `meta.schema` takes. */
export function optionsJsonSchema(): Record<string, unknown> {
  const schema: Record<string, unknown> = { ...z.toJSONSchema(optionsSchema, { target: "draft-7", io: "input" }) };
  delete schema.$schema;
  return schema;
}

/** The shipped `schema.json`: the same schema with its dialect and a title, for `scope-ceiling.config.json`. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "scope-ceiling configuration",
    description: "Options of the ESLint rule scope-ceiling/require-within-ceiling and of `scope-ceiling check`.",
    ...optionsJsonSchema(),
  };
}

/** A configuration problem, told in one line naming the offending key. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseOptions(input: unknown, origin = "options"): ScopeCeilingOptions {
  const result = optionsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? issue.path.join(".") : "(root)";
  let message = issue?.message ?? "invalid";
  if (issue?.code === "unrecognized_keys") message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}`;
  throw new ConfigError(`${origin}: ${at}: ${message}`);
}
