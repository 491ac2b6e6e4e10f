import { AST_NODE_TYPES, type TSESTree } from "@typescript-eslint/utils";
import { BUILTIN_GUARDS, PRESETS } from "../config/presets.js";
import type { GuardConfig, ScopeCeilingOptions, SinkConfig } from "../config/schema.js";
import { isSameModule, type FileContext } from "./bindings.js";
import { calleePath, compileCalleePattern, matchesCalleePattern, unwrapCallee, type CalleePath, type CalleePattern } from "./callee.js";
import { memberName, staticString, unwrapValue, type Node } from "./syntax.js";

/** `[]` in a scope path: every element of an array of rows. */
export const EACH = Symbol("each");
export type PathStep = string | typeof EACH;

export interface ArgumentPath {
  readonly argument: number;
  readonly steps: readonly PathStep[];
  readonly text: string;
}

export function parseArgumentPath(text: string): ArgumentPath {
  const [head = "0", ...rest] = text.split(".");
  const steps: PathStep[] = [];
  const argument = Number.parseInt(head, 10);
  if (head.endsWith("[]")) steps.push(EACH);
  for (const part of rest) {
    steps.push(part.endsWith("[]") ? part.slice(0, -2) : part);
    if (part.endsWith("[]")) steps.push(EACH);
  }
  return { argument, steps, text };
}

export interface SinkSpec {
  readonly patterns: readonly CalleePattern[];
  readonly from: string | undefined;
  readonly scopes: readonly ArgumentPath[];
  readonly where: readonly (readonly [ArgumentPath, string])[];
  readonly scopeRequired: boolean;
  readonly receiverType: string | undefined;
}

export interface GuardSpec {
  readonly name: string;
  readonly from: string | undefined;
  readonly kind: GuardConfig["kind"];
  readonly argument: number;
}

/** The arguments a call really passes: `.call`, `.apply` and `Reflect.apply` shift or wrap them. */
export type CallArguments = readonly TSESTree.CallExpressionArgument[] | "unknown";

export interface CallShape {
  /** The expression naming the called function. */
  readonly target: Node;
  readonly args: CallArguments;
  readonly isNew: boolean;
}

export interface SinkMatch {
  readonly spec: SinkSpec;
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly shape: CallShape;
}

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? (value as readonly T[]) : [value as T]);

function compileSink(config: SinkConfig): SinkSpec {
  return {
    patterns: toArray(config.callee).map(compileCalleePattern),
    from: config.from,
    scopes: toArray(config.scope).map(parseArgumentPath),
    where: Object.entries(config.where ?? {}).map(([path, value]) => [parseArgumentPath(path), value] as const),
    scopeRequired: config.scopeRequired ?? true,
    receiverType: config.receiverType,
  };
}

function compileGuard(config: GuardConfig): GuardSpec {
  return { name: config.name, from: config.from, kind: config.kind, argument: config.argument ?? 0 };
}

function spreadArray(node: TSESTree.CallExpressionArgument | undefined): CallArguments {
  if (node?.type !== AST_NODE_TYPES.ArrayExpression) return "unknown";
  if (node.elements.some((element) => element === null || element.type === AST_NODE_TYPES.SpreadElement)) return "unknown";
  return node.elements as TSESTree.Expression[];
}

/** Sees through `f.call(this, a)`, `f.apply(this, [a])` and `Reflect.apply(f, this, [a])`. */
export function callShape(file: FileContext, call: TSESTree.CallExpression | TSESTree.NewExpression): CallShape {
  if (call.type === AST_NODE_TYPES.NewExpression) return { target: call.callee, args: call.arguments, isNew: true };
  const callee = unwrapCallee(call.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const method = memberName(callee);
    if (method === "call") return { target: callee.object, args: call.arguments.slice(1), isNew: false };
    if (method === "apply") {
      const path = calleePath(file, callee.object);
      if (path.segments.join(".") === "Reflect" && path.module === undefined) {
        const [target] = call.arguments;
        return { target: target ?? callee, args: spreadArray(call.arguments[2]), isNew: false };
      }
      return { target: callee.object, args: spreadArray(call.arguments[1]), isNew: false };
    }
  }
  return { target: callee, args: call.arguments, isNew: false };
}

interface DescribedCall {
  readonly shape: CallShape;
  readonly path: CalleePath;
}

/** Compiled configuration: answers "is this call a sink / a guard?" for one file. */
export class Catalog {
  readonly sinks: readonly SinkSpec[];
  readonly guards: readonly GuardSpec[];
  // Calls are asked about several times (recording, evaluating): resolve each callee once.
  readonly #described = new WeakMap<Node, DescribedCall>();

  /**
   * Words a file must contain to hold a sink, a guard call, a grant type or a suppression: both
   * engines check them before any parsing or symbol query. A sink's most telling word is its module,
   * else the first name of its pattern (the model, `OAuthAccessToken`, not the method, `create`);
   * aliases, renamed imports and destructuring still spell it.
   */
  readonly anchorWords: readonly string[];

  constructor(options: ScopeCeilingOptions) {
    const presets = options.presets ?? ["default"];
    this.sinks = [...presets.flatMap((preset) => PRESETS[preset]), ...(options.sinks ?? [])].map(compileSink);
    this.guards = [...BUILTIN_GUARDS, ...(options.guards ?? [])].map(compileGuard);
    const words = new Set(["GrantedScope", "scope-ceiling-ignore"]);
    for (const sink of this.sinks) {
      for (const pattern of sink.patterns) {
        const first = pattern.segments.find((segment) => segment !== "*");
        // A receiver type need not be spelled in the file (inferred); its method name must be.
        const word = sink.from ?? (sink.receiverType === undefined ? first : pattern.segments.at(-1));
        if (word && word !== "*") words.add(word);
      }
    }
    for (const guard of this.guards) words.add(guard.name);
    this.anchorWords = [...words];
  }

  /** Could this text hold anything the analysis looks at? */
  mayConcern(text: string): boolean {
    return this.anchorWords.some((word) => text.includes(word));
  }

  /** Every sink this call is (Prisma's upsert is two: its create and its update). */
  #describe(file: FileContext, call: TSESTree.CallExpression | TSESTree.NewExpression): DescribedCall {
    let described = this.#described.get(call);
    if (!described) {
      const shape = callShape(file, call);
      described = { shape, path: calleePath(file, shape.target) };
      this.#described.set(call, described);
    }
    return described;
  }

  matchSinks(file: FileContext, call: TSESTree.CallExpression | TSESTree.NewExpression): SinkMatch[] {
    const { shape, path } = this.#describe(file, call);
    return this.sinks
      .filter((spec) => this.#sinkNamed(file, spec, path, shape.isNew))
      .filter((spec) => spec.receiverType === undefined || receiverHasType(file, shape.target, spec.receiverType))
      .filter((spec) => spec.where.every(([where, expected]) => argumentEquals(shape.args, where, expected)))
      .map((spec) => ({ spec, call, shape }));
  }

  #sinkNamed(file: FileContext, spec: SinkSpec, path: CalleePath, isNew: boolean): boolean {
    if (spec.from !== undefined && !fromModule(file, path, spec.from)) return false;
    // With `from`, a default import stands for the module: `jwt.sign` is the module's `sign`.
    const segments = spec.from !== undefined && path.moduleRoot === "default" ? path.segments.slice(1) : path.segments;
    return spec.patterns.some((pattern) => pattern.isNew === isNew && matchesCalleePattern(pattern, segments));
  }

  /** The guard this call invokes, if any. */
  matchGuard(file: FileContext, call: TSESTree.CallExpression): { readonly spec: GuardSpec; readonly shape: CallShape } | null {
    const { shape, path } = this.#describe(file, call);
    for (const spec of this.guards) {
      if (isNamedFunction(file, path, spec.name, spec.from)) return { spec, shape };
    }
    return null;
  }

  /** `toScopeList` from scope-ceiling: keeps a proof. */
  isToScopeList(file: FileContext, call: TSESTree.CallExpression): boolean {
    return isNamedFunction(file, this.#describe(file, call).path, "toScopeList", "scope-ceiling");
  }
}

const normalizeType = (text: string) => text.replace(/\s+/g, "").replace(/^import\([^)]*\)\./, "");

/**
 * A sink named by its receiver's type (`repository.save(...)` on a `Repository<OAuthAccessToken>`):
 * needs type information, so without it (the rule on a file without a program) it never matches.
 */
function receiverHasType(file: FileContext, target: Node, expected: string): boolean {
  const callee = unwrapCallee(target);
  if (callee.type !== AST_NODE_TYPES.MemberExpression || !file.typeTextOf) return false;
  const actual = file.typeTextOf(callee.object);
  return actual !== null && normalizeType(actual) === normalizeType(expected);
}

/** A function called by name: with `from`, only the import of that name from that module. */
function isNamedFunction(file: FileContext, path: CalleePath, name: string, from: string | undefined): boolean {
  if (path.segments.at(-1) !== name) return false;
  if (from === undefined) return true;
  return path.segments.length === 1 && path.moduleRoot !== "default" && fromModule(file, path, from);
}

/** Is the callee's root imported from `from`: where it is declared, or as the import is written? */
function fromModule(file: FileContext, path: CalleePath, from: string): boolean {
  return (path.module !== undefined && isSameModule(file, path.module, from)) || (path.writtenModule !== undefined && isSameModule(file, path.writtenModule, from));
}

/** Does the argument at `path` equal `expected`: a string, or a member expression ending in that name? */
function argumentEquals(args: CallArguments, path: ArgumentPath, expected: string): boolean {
  if (args === "unknown") return false;
  let node: Node | undefined = args[path.argument];
  for (const step of path.steps) {
    if (step === EACH || node?.type !== AST_NODE_TYPES.ObjectExpression) return false;
    node = findProperty(node, step);
  }
  if (!node) return false;
  if (staticString(node) === expected) return true;
  const value = unwrapValue(node);
  return value.type === AST_NODE_TYPES.MemberExpression && memberName(value) === expected;
}

/** The last non-spread property with this key (later properties win). */
export function findProperty(object: TSESTree.ObjectExpression, key: string): Node | undefined {
  for (let index = object.properties.length - 1; index >= 0; index--) {
    const property = object.properties[index];
    if (property?.type === AST_NODE_TYPES.Property && hasKey(property, key)) return property.value;
  }
  return undefined;
}

/** Is this property's key `key`, as written (`key`, `"key"`, `["key"]`)? */
export function hasKey(property: TSESTree.Property, key: string): boolean {
  if (!property.computed && property.key.type === AST_NODE_TYPES.Identifier) return property.key.name === key;
  return staticString(property.key) === key;
}
