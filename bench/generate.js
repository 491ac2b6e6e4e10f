// Deterministic generator of synthetic TypeScript service projects for the benchmarks (issue 5).
//
//   node bench/generate.js --files N [--seed S] [--out DIR]
//
// writes a project of N TypeScript files (under DIR/src; default DIR bench/projects/<N>) with its own
// tsconfig.json, eslint.config.js, eslint.off.config.js (the rule off), scope-ceiling.config.json and
// manifest.json, and prints a one-line summary. The same N and seed always give the same bytes: every
// choice comes from a seeded mulberry32, and nothing reads the clock or the environment.
//
// The project looks like a backend: src/models (model classes), src/repositories (in-memory stores),
// src/services (business logic: loops, conditionals, validation, mapping, string handling) and
// src/routes (request handlers), 50-300 lines a file, importing across folders. About 2% of the files
// are on an issuance path: OAuth modules of four files (route -> token service -> token issuer ->
// token store) whose chains pass the scope across 1-4 files to a sink of every preset (default,
// better-auth, jwt), proven by guards of all three kinds. A known number of chains (about 10% of the
// issuance files, at least one) carry a planted unguarded mint in one of three plain shapes; the
// manifest lists each with the line where `scope-ceiling check` must report it. Everything else on an
// issuance path is guarded on every path, so the checker must report exactly the planted findings.
//
// `generate({ files, seed, out })` does the same from code and returns the manifest.
//
// Two constructs are left out on purpose until the analysis handles them: a `for (init; test; update)`
// loop after a call that takes a local variable (the code path fixpoint does not terminate, in the rule
// and in the checker), and `jwt.sign` through a default import of jsonwebtoken (the checker does not
// see it as the jwt sink; the rule does). The jwt sinks use a namespace or a named import instead.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Randomness: mulberry32, seeded; the only source of choice.

/** A small, fast, seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  constructor(seed) {
    this.next = mulberry32(seed);
  }

  /** An integer in [low, high]. */
  int(low, high) {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability) {
    return this.next() < probability;
  }

  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }

  shuffle(list) {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** `count` distinct items of `list`, in list order. */
  sample(list, count) {
    const chosen = new Set(this.shuffle(list.map((_, index) => index)).slice(0, count));
    return list.filter((_, index) => chosen.has(index));
  }

  /** A file length in lines: 50-300, more short files than long ones (mean about 130). */
  fileLength() {
    return 50 + Math.floor(250 * Math.min(this.next(), this.next()));
  }
}

// ---------------------------------------------------------------------------------------------
// Source files: a body of lines and the imports it needs, rendered with relative `.js` specifiers.

const MARK = "\u0000PLANT:";

/** Marks a line as the one where the checker must report a planted finding (of a chain's shape and sink). */
function plant(line, chain, messageId = "unguardedScope") {
  return line + MARK + JSON.stringify({ messageId, shape: chain.planted, sink: chain.sink });
}

class SourceFile {
  /** @param {string} path project-relative, e.g. "src/services/invoice-service.ts" */
  constructor(path, header = []) {
    this.path = path;
    this.header = header;
    this.imports = new Map();
    this.lines = [];
  }

  /**
   * Imports names from a module: a bare package ("scope-ceiling") or a path under src without the
   * extension ("lib/strings"). A name "type X" is a type-only import; "default X" a default import.
   */
  use(module, names) {
    const target = module.includes("/") && !module.startsWith("@") ? `src/${module}` : module;
    if (target === this.path.replace(/\.ts$/, "")) return;
    let entry = this.imports.get(target);
    if (!entry) {
      entry = { defaultName: null, namespaceName: null, named: new Map() };
      this.imports.set(target, entry);
    }
    for (const name of names) {
      if (name.startsWith("* as ")) entry.namespaceName = name.slice("* as ".length);
      else if (name.startsWith("default ")) entry.defaultName = name.slice("default ".length);
      else if (name.startsWith("type ")) {
        const bare = name.slice("type ".length);
        if (!entry.named.has(bare)) entry.named.set(bare, true);
      } else entry.named.set(name, false);
    }
  }

  /** Appends a block (a string of lines), separated from the previous one by a blank line. */
  block(text) {
    if (this.lines.length > 0) this.lines.push("");
    for (const line of text.split("\n")) this.lines.push(line);
  }

  get lineCount() {
    return this.header.length + this.imports.size + 1 + this.lines.length;
  }

  #specifier(target) {
    if (!target.startsWith("src/")) return target;
    let relative = posix.relative(posix.dirname(this.path), target);
    if (!relative.startsWith(".")) relative = `./${relative}`;
    return `${relative}.js`;
  }

  /** The file's text and the planted findings in it (1-based lines). */
  render() {
    const out = [...this.header];
    for (const [target, { defaultName, namespaceName, named }] of this.imports) {
      const specifier = this.#specifier(target);
      if (namespaceName) out.push(`import * as ${namespaceName} from "${specifier}";`);
      if (!defaultName && named.size === 0) continue;
      const entries = [...named];
      const allTypes = entries.length > 0 && entries.every(([, isType]) => isType) && !defaultName;
      const list = entries.map(([name, isType]) => (isType && !allTypes ? `type ${name}` : name)).join(", ");
      const parts = [];
      if (defaultName) parts.push(defaultName);
      if (list) parts.push(`{ ${list} }`);
      out.push(`import ${allTypes ? "type " : ""}${parts.join(", ")} from "${specifier}";`);
    }
    if (out.length > this.header.length) out.push("");
    const planted = [];
    for (const line of this.lines) {
      const at = line.indexOf(MARK);
      if (at === -1) out.push(line);
      else {
        out.push(line.slice(0, at));
        planted.push({ file: this.path, line: out.length, ...JSON.parse(line.slice(at + MARK.length)) });
      }
    }
    return { text: `${out.join("\n")}\n`, planted, lines: out.length };
  }
}

function indent(text, depth = 1) {
  const pad = "  ".repeat(depth);
  return text
    .split("\n")
    .map((line) => (line.length > 0 ? pad + line : line))
    .join("\n");
}

const pascal = (words) => words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);
const kebabOf = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
const constOf = (name) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
const lowerFirst = (name) => name.charAt(0).toLowerCase() + name.slice(1);

function plural(word) {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

// ---------------------------------------------------------------------------------------------
// Entities: the business domain the ordinary files are about.

const NOUNS = [
  "Invoice", "Customer", "Shipment", "Order", "Product", "Warehouse", "Supplier", "Payment", "Subscription",
  "Contract", "Ticket", "Employee", "Project", "Task", "Asset", "Vehicle", "Booking", "Reservation", "Lead",
  "Campaign", "Coupon", "Refund", "Review", "Store", "Vendor", "Budget", "Expense", "Report", "Device",
  "Sensor", "Location", "Delivery", "Parcel", "Carrier", "Course", "Lesson", "Student", "Instructor",
  "Patient", "Appointment", "Prescription", "Claim", "Policy", "Quote", "Listing", "Tenant", "Lease",
  "Permit", "Incident", "Alert", "Shift", "Timesheet", "Article", "Comment", "Playlist", "Track", "Album",
  "Venue", "Membership", "Donation", "Recipe", "Ingredient", "Menu", "Survey", "Workshop",
];
const QUALIFIERS = [
  "", "Regional", "Partner", "Internal", "Legacy", "Premium", "Seasonal", "Wholesale", "Retail", "Digital",
  "Mobile", "Global", "Local", "Scheduled", "Recurring", "Express", "Standard", "Corporate", "Community",
  "Field", "Remote", "Shared", "Custom", "Managed", "External", "Primary", "Bulk", "Pilot", "Trial", "Annual",
];
const STRING_FIELDS = [
  "title", "description", "reference", "ownerId", "region", "category", "contactEmail", "externalId", "notes",
  "currency", "countryCode", "sku", "channel", "source",
];
const NUMBER_FIELDS = [
  "amount", "quantity", "priority", "weight", "price", "score", "balance", "capacity", "discount", "rating",
  "durationMinutes", "retryCount", "unitCost", "taxRate",
];
const BOOLEAN_FIELDS = ["archived", "verified", "flagged", "featured", "locked"];
const LIFECYCLES = [
  ["draft", "active", "suspended", "closed"],
  ["pending", "approved", "rejected", "cancelled"],
  ["new", "in_progress", "blocked", "done"],
  ["open", "paid", "overdue", "void"],
  ["queued", "running", "failed", "completed"],
  ["requested", "confirmed", "fulfilled"],
];
const ASPECTS = ["pricing", "reporting", "import", "notifications", "search", "export", "scheduling", "sync", "audit", "rules"];

function makeEntities(rng, count) {
  const names = rng.shuffle(QUALIFIERS.flatMap((qualifier) => NOUNS.map((noun) => qualifier + noun)));
  const entities = [];
  for (let i = 0; i < count; i++) {
    const round = Math.floor(i / names.length);
    const Name = names[i % names.length] + (round > 0 ? String(round + 1) : "");
    const strings = ["name", ...rng.sample(STRING_FIELDS, rng.int(2, 4))];
    const numbers = rng.sample(NUMBER_FIELDS, rng.int(2, 4));
    const booleans = rng.sample(BOOLEAN_FIELDS, rng.int(0, 2));
    const statuses = rng.pick(LIFECYCLES);
    const kebab = kebabOf(Name);
    entities.push({
      index: i,
      Name,
      name: lowerFirst(Name),
      Plural: plural(Name),
      kebab,
      CONST: constOf(Name),
      idPrefix: kebab.split("-").map((word) => word.slice(0, 3)).join(""),
      strings,
      numbers,
      booleans,
      statuses,
      s0: strings[0],
      s1: strings[1],
      n0: numbers[0],
      n1: numbers[1],
      initial: statuses[0],
      terminal: statuses[statuses.length - 1],
      aspects: [],
      model: `models/${kebab}`,
      repository: `repositories/${kebab}-repository`,
      service: `services/${kebab}-service`,
      routes: `routes/${kebab}-routes`,
      routable: [],
    });
  }
  return entities;
}

// ---------------------------------------------------------------------------------------------
// Fixed files: ambient declarations of the external modules, the HTTP layer, the libraries.

const SCOPE_CEILING_DTS = `/** The parts of scope-ceiling this service uses (the package's own types, declared for the benchmark). */
declare module "scope-ceiling" {
  export type GrantedScope = string & { readonly __brand: "GrantedScope" };
  export function withinCeiling(requested: unknown, options: { ceiling: string | readonly string[]; original?: string; onExcess?: "reject" | "narrow"; defaultScopes?: string }): GrantedScope;
}
`;

const JSONWEBTOKEN_DTS = `/** The parts of jsonwebtoken this service uses. */
declare module "jsonwebtoken" {
  export interface SignOptions {
    expiresIn?: number | string;
    audience?: string;
    issuer?: string;
    algorithm?: "HS256" | "RS256";
  }
  export function sign(payload: object, secretOrPrivateKey: string, options?: SignOptions): string;
  export function verify(token: string, secretOrPublicKey: string): unknown;
}
`;

const JOSE_DTS = `/** The parts of jose this service uses. */
declare module "jose" {
  export interface JWTPayload {
    [claim: string]: unknown;
    sub?: string;
    scope?: string;
  }
  export class SignJWT {
    constructor(payload: JWTPayload);
    setProtectedHeader(header: { alg: string; kid?: string }): this;
    setIssuedAt(): this;
    setExpirationTime(expiration: number | string): this;
    setAudience(audience: string): this;
    sign(key: Uint8Array): Promise<string>;
  }
}
`;

const PRISMA_DTS = `/** The generated Prisma client, reduced to the access token delegate this service uses. */
declare module "@prisma/client" {
  export interface OAuthAccessTokenRow {
    id: string;
    token: string;
    clientId: string;
    userId: string | null;
    scope: string;
    audience: string | null;
    expiresAt: number;
  }
  export interface OAuthAccessTokenCreateInput {
    token: string;
    clientId: string;
    userId?: string | null;
    scope: string;
    audience?: string | null;
    expiresAt: number;
  }
  export interface OAuthAccessTokenWhereUniqueInput {
    id?: string;
    token?: string;
  }
  export interface OAuthAccessTokenDelegate {
    create(args: { data: OAuthAccessTokenCreateInput }): Promise<OAuthAccessTokenRow>;
    createMany(args: { data: OAuthAccessTokenCreateInput[]; skipDuplicates?: boolean }): Promise<{ count: number }>;
    upsert(args: { where: OAuthAccessTokenWhereUniqueInput; create: OAuthAccessTokenCreateInput; update: Partial<OAuthAccessTokenCreateInput> }): Promise<OAuthAccessTokenRow>;
    update(args: { where: OAuthAccessTokenWhereUniqueInput; data: Partial<OAuthAccessTokenCreateInput> }): Promise<OAuthAccessTokenRow>;
    findUnique(args: { where: OAuthAccessTokenWhereUniqueInput }): Promise<OAuthAccessTokenRow | null>;
  }
  export class PrismaClient {
    constructor();
    oAuthAccessToken: OAuthAccessTokenDelegate;
    $transaction<T>(fn: (tx: PrismaClient) => Promise<T>): Promise<T>;
  }
}
`;

const HTTP_TYPES = `/** The HTTP layer: requests, responses, errors and a small router. */

export interface Request {
  method: string;
  path: string;
  /** Form or JSON body fields, as strings (the body parser flattens them). */
  body: Record<string, string>;
  query: Record<string, string | undefined>;
  params: Record<string, string>;
  headers: Record<string, string | undefined>;
  userId: string | null;
}

export interface Response {
  status(code: number): Response;
  json(body: unknown): void;
  header(name: string, value: string): Response;
}

export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(status: number, message: string, expose = status < 500) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.expose = expose;
  }

  toJSON(): { error: string; status: number } {
    return { error: this.expose ? this.message : "internal_error", status: this.status };
  }
}

export type Handler = (req: Request, res: Response) => Promise<void>;

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  method: Method;
  path: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  readonly routes: Route[] = [];

  get(path: string, handler: Handler): void {
    this.add("GET", path, handler);
  }

  post(path: string, handler: Handler): void {
    this.add("POST", path, handler);
  }

  put(path: string, handler: Handler): void {
    this.add("PUT", path, handler);
  }

  delete(path: string, handler: Handler): void {
    this.add("DELETE", path, handler);
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    const segments = path.split("/").filter((segment) => segment.length > 0);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      route.segments.forEach((expected, index) => {
        const actual = segments[index] ?? "";
        if (expected.startsWith(":")) params[expected.slice(1)] = decodeURIComponent(actual);
        else if (expected !== actual) matched = false;
      });
      if (matched) return { route, params };
    }
    return null;
  }

  private add(method: Method, path: string, handler: Handler): void {
    if (this.routes.some((route) => route.method === method && route.path === path)) {
      throw new Error("duplicate route " + method + " " + path);
    }
    this.routes.push({ method, path, segments: path.split("/").filter((segment) => segment.length > 0), handler });
  }
}

export function sendError(res: Response, error: unknown): void {
  if (error instanceof HttpError) {
    res.status(error.status).json(error.toJSON());
    return;
  }
  res.status(500).json({ error: "internal_error", status: 500 });
}
`;

const BETTER_AUTH = `/** The better-auth plugin context our OAuth endpoints receive. */

export interface AdapterWhere {
  field: string;
  value: string;
}

export interface AuthAdapter {
  create(args: { model: string; data: Record<string, unknown> }): Promise<Record<string, unknown>>;
  findOne(args: { model: string; where: AdapterWhere[] }): Promise<Record<string, unknown> | null>;
  delete(args: { model: string; where: AdapterWhere[] }): Promise<void>;
}

export interface AuthSession {
  user: { id: string; email: string };
  expiresAt: number;
}

export interface AuthEndpointContext {
  body: Record<string, string>;
  headers: Record<string, string | undefined>;
  context: {
    adapter: AuthAdapter;
    session: AuthSession | null;
    baseURL: string;
  };
}

export function bearerTokenOf(ctx: AuthEndpointContext): string | null {
  const header = ctx.headers.authorization ?? "";
  if (!header.toLowerCase().startsWith("bearer ")) return null;
  const token = header.slice("bearer ".length).trim();
  return token.length > 0 ? token : null;
}

export function sessionUserId(ctx: AuthEndpointContext, now: number): string | null {
  const session = ctx.context.session;
  if (!session || session.expiresAt <= now) return null;
  return session.user.id;
}

export async function findAdapterRow(ctx: AuthEndpointContext, model: string, field: string, value: string): Promise<Record<string, unknown> | null> {
  if (value.length === 0) return null;
  return ctx.context.adapter.findOne({ model, where: [{ field, value }] });
}

export function describeAdapterRow(row: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(row)) {
    if (key.toLowerCase().includes("token") || key.toLowerCase().includes("secret")) continue;
    parts.push(key + "=" + (typeof value === "string" ? value : JSON.stringify(value)));
  }
  return parts.sort().join(" ");
}
`;

const SECURITY_SCOPES = `/**
 * The scope guards configured for scope-ceiling (scope-ceiling.config.json): an \`asserts\` guard on its
 * second argument and a \`predicate\` guard on its first.
 */
import { withinCeiling } from "scope-ceiling";
import { HttpError } from "../http/types.js";
import type { ClientApplication } from "../models/client-application.js";

function normalizeScope(scope: string): string {
  return scope.trim().split(/\\s+/).join(" ");
}

/** Throws unless every requested scope is within the client's ceiling. */
export function assertScopesAllowed(client: ClientApplication, scope: unknown): asserts scope is string {
  if (typeof scope !== "string" || scope.trim().length === 0) {
    throw new HttpError(400, "invalid_scope");
  }
  const granted = withinCeiling(scope, { ceiling: client.allowedScopes, onExcess: "reject" });
  if (granted !== normalizeScope(scope)) {
    throw new HttpError(400, "invalid_scope");
  }
}

/** Whether every requested scope is in the ceiling (space-separated). */
export function isWithinCeiling(scope: unknown, ceiling: string): scope is string {
  if (typeof scope !== "string" || scope.length === 0 || scope !== normalizeScope(scope)) return false;
  const allowed = new Set(ceiling.split(/\\s+/).filter((entry) => entry.length > 0));
  for (const entry of scope.split(" ")) {
    if (!allowed.has(entry)) return false;
  }
  return true;
}

/** For error messages: the requested scopes the ceiling does not hold. */
export function scopesOutside(scope: string, ceiling: string): string[] {
  const allowed = new Set(ceiling.split(/\\s+/));
  return normalizeScope(scope)
    .split(" ")
    .filter((entry) => entry.length > 0 && !allowed.has(entry));
}
`;

const DB_PRISMA = `/** The one Prisma client of the process. */
import { PrismaClient } from "@prisma/client";

export const prisma = new PrismaClient();

export async function withTransaction<T>(work: (tx: PrismaClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(work);
}
`;

const CLIENT_APPLICATION = `/** OAuth client applications and their scope ceilings. */
import { HttpError } from "../http/types.js";

export interface ClientApplicationAttributes {
  clientId: string;
  name: string;
  /** The scope ceiling, space-separated: the most any token issued to this client may hold. */
  allowedScopes: string;
  redirectUris: string[];
  firstParty: boolean;
  disabled: boolean;
}

export class ClientApplication {
  static readonly registry = new Map<string, ClientApplication>();

  clientId: string;
  name: string;
  allowedScopes: string;
  redirectUris: string[];
  firstParty: boolean;
  disabled: boolean;

  constructor(attributes: ClientApplicationAttributes) {
    this.clientId = attributes.clientId;
    this.name = attributes.name;
    this.allowedScopes = attributes.allowedScopes;
    this.redirectUris = [...attributes.redirectUris];
    this.firstParty = attributes.firstParty;
    this.disabled = attributes.disabled;
  }

  static async requireByClientId(clientId: string | undefined): Promise<ClientApplication> {
    const client = clientId === undefined ? undefined : ClientApplication.registry.get(clientId);
    if (!client || client.disabled) {
      throw new HttpError(401, "invalid_client");
    }
    return client;
  }

  allowsRedirect(uri: string): boolean {
    const normalized = uri.trim().toLowerCase();
    return this.redirectUris.some((candidate) => candidate.toLowerCase() === normalized);
  }

  ceilingList(): string[] {
    return this.allowedScopes.split(/\\s+/).filter((entry) => entry.length > 0);
  }
}
`;

const OAUTH_MODELS = `/** The token store's models (Sequelize-style), declared: rows live in the database. */

export interface AccessTokenAttributes {
  token: string;
  clientId: string;
  userId: string | null;
  scope: string;
  audience?: string | null;
  expiresAt: number;
}

export declare class OAuthAccessToken {
  id: string;
  token: string;
  clientId: string;
  userId: string | null;
  scope: string;
  audience: string | null;
  expiresAt: number;
  constructor(values: AccessTokenAttributes);
  save(): Promise<this>;
  static create(values: AccessTokenAttributes): Promise<OAuthAccessToken>;
  static bulkCreate(rows: AccessTokenAttributes[]): Promise<OAuthAccessToken[]>;
  static findOrCreate(options: { where: Partial<AccessTokenAttributes>; defaults: AccessTokenAttributes }): Promise<[OAuthAccessToken, boolean]>;
  static findOne(options: { where: Partial<AccessTokenAttributes> }): Promise<OAuthAccessToken | null>;
}

export declare class AuthorizationCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** What the user consented to: data, not proof. */
  scope: string;
  static consume(code: string | undefined, clientId: string): Promise<AuthorizationCode>;
}

export declare class OAuthRefreshToken {
  id: string;
  clientId: string;
  userId: string;
  scope: string;
  static requireActive(token: string | undefined, clientId: string): Promise<OAuthRefreshToken>;
}

export declare class UserAccount {
  static authenticate(username: string | undefined, password: string | undefined): Promise<string>;
}

/** The token endpoint's response (RFC 6749 section 5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
}
`;

const LIB_STRINGS = `/** String helpers shared by the services. */

export function normalizeWhitespace(value: string): string {
  return value.replace(/\\s+/g, " ").trim();
}

export function slugify(value: string): string {
  return normalizeWhitespace(value)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function titleCase(value: string): string {
  return normalizeWhitespace(value)
    .split(" ")
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join(" ");
}

export function truncate(value: string, max: number): string {
  if (max <= 1) return value.slice(0, Math.max(0, max));
  return value.length <= max ? value : value.slice(0, max - 1) + "\\u2026";
}

export function escapeCsv(value: string | number | boolean): string {
  const text = String(value);
  if (!/[",\\n]/.test(text)) return text;
  return '"' + text.replace(/"/g, '""') + '"';
}

export function isNonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.trim().length > 0;
}

export function splitTags(value: string | undefined): string[] {
  if (value === undefined) return [];
  const tags: string[] = [];
  for (const part of value.split(/[,;]/)) {
    const tag = slugify(part);
    if (tag.length > 0 && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

export function maskEmail(email: string): string {
  const at = email.indexOf("@");
  if (at <= 1) return email;
  return email.charAt(0) + "*".repeat(at - 1) + email.slice(at);
}

export function padLeft(value: string | number, width: number, fill = "0"): string {
  let text = String(value);
  while (text.length < width) text = fill + text;
  return text;
}

export function humanize(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
}
`;

const LIB_VALIDATION = `/** Input validation: every reader records its issues instead of throwing at the first one. */

export interface ValidationIssue {
  field: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export function requireString(input: Record<string, unknown>, field: string, issues: ValidationIssue[], maxLength = 200): string {
  const value = input[field];
  if (typeof value !== "string" || value.trim().length === 0) {
    issues.push({ field, message: "is required" });
    return "";
  }
  if (value.length > maxLength) {
    issues.push({ field, message: "must be at most " + String(maxLength) + " characters" });
  }
  return value.trim();
}

export function optionalString(input: Record<string, unknown>, field: string, issues: ValidationIssue[], fallback = ""): string {
  const value = input[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") {
    issues.push({ field, message: "must be a string" });
    return fallback;
  }
  return value.trim();
}

export function requireNumber(input: Record<string, unknown>, field: string, issues: ValidationIssue[], min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
  const raw = input[field];
  const value = typeof raw === "string" && raw.trim().length > 0 ? Number(raw) : raw;
  if (typeof value !== "number" || Number.isNaN(value)) {
    issues.push({ field, message: "must be a number" });
    return 0;
  }
  if (value < min || value > max) {
    issues.push({ field, message: "must be between " + String(min) + " and " + String(max) });
  }
  return value;
}

export function optionalNumber(input: Record<string, unknown>, field: string, issues: ValidationIssue[], fallback: number): number {
  if (input[field] === undefined || input[field] === "") return fallback;
  return requireNumber(input, field, issues);
}

export function optionalBoolean(input: Record<string, unknown>, field: string, issues: ValidationIssue[], fallback: boolean): boolean {
  const value = input[field];
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  issues.push({ field, message: "must be true or false" });
  return fallback;
}

export function requireOneOf<T extends string>(input: Record<string, unknown>, field: string, allowed: readonly T[], issues: ValidationIssue[], fallback: T): T {
  const value = input[field];
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    issues.push({ field, message: "must be one of " + allowed.join(", ") });
    return fallback;
  }
  return match;
}

export function optionalStringList(input: Record<string, unknown>, field: string, issues: ValidationIssue[]): string[] {
  const value = input[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.push({ field, message: "must be a list" });
    return [];
  }
  const items: string[] = [];
  for (const item of value) {
    if (typeof item === "string") items.push(item);
    else issues.push({ field, message: "must hold only strings" });
  }
  return items;
}

export function isEmail(value: string): boolean {
  return /^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$/i.test(value);
}

export function issuesToMessage(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => issue.field + " " + issue.message).join("; ");
}
`;

const LIB_COLLECTIONS = `/** Collection helpers shared by the repositories and services. */

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export function paginate<T>(items: readonly T[], offset: number, limit: number): Page<T> {
  const start = Math.max(0, Math.floor(offset));
  const size = Math.max(1, Math.floor(limit));
  return { items: items.slice(start, start + size), total: items.length, offset: start, limit: size };
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

export function sumBy<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const item of items) {
    const name = key(item);
    if (seen.has(name)) continue;
    seen.add(name);
    unique.push(item);
  }
  return unique;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  const step = Math.max(1, Math.floor(size));
  let start = 0;
  while (start < items.length) {
    chunks.push(items.slice(start, start + step));
    start += step;
  }
  return chunks;
}

export function sortBy<T>(items: readonly T[], key: (item: T) => number | string, direction: "asc" | "desc" = "asc"): T[] {
  const order = direction === "asc" ? 1 : -1;
  return [...items].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    if (left === right) return 0;
    return left < right ? -order : order;
  });
}

export function indexBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) index.set(key(item), item);
  return index;
}

export function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
`;

const LIB_NUMBERS = `/** Number helpers. */

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function percentage(part: number, whole: number): number {
  if (whole === 0) return 0;
  return roundTo((part / whole) * 100, 1);
}

export function average(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  const lower = sorted[middle - 1] ?? upper;
  return sorted.length % 2 === 0 ? (lower + upper) / 2 : upper;
}

export function parseInteger(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim().length === 0) return fallback;
  const parsed = Number.parseInt(value, 10);
  if (Number.isNaN(parsed)) return fallback;
  return clamp(parsed, min, max);
}

export function formatAmount(value: number, currency = "EUR"): string {
  const fixed = roundTo(value, 2).toFixed(2);
  const [whole = "0", cents = "00"] = fixed.split(".");
  const grouped = whole.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ",");
  return currency + " " + grouped + "." + cents;
}
`;

const LIB_TOKENS = `/** Identifiers and token material. */

let sequence = 0;

export function newId(prefix: string): string {
  sequence += 1;
  return prefix + "_" + Date.now().toString(36) + sequence.toString(36).padStart(6, "0");
}

/** An opaque bearer token (the value handed to the client; only its hash is stored). */
export function opaqueToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let token = "";
  while (token.length < 43) token += alphabet.charAt(Math.floor(Math.random() * alphabet.length));
  return token;
}

/** FNV-1a, hex: how token rows are looked up without storing the token. */
export function hashToken(value: string): string {
  let hash = 0x811c9dc5;
  for (const character of value) {
    hash ^= character.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

export function signingSecret(): string {
  return "development-secret-rotated-by-deploy";
}

export function signingKey(): Uint8Array {
  const secret = signingSecret();
  return Uint8Array.from(secret, (character) => character.charCodeAt(0) & 0xff);
}

export function constantTimeEqual(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  let index = 0;
  while (index < left.length) {
    difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
    index += 1;
  }
  return difference === 0;
}
`;

const LIB_AUDIT = `/** An in-memory audit trail (shipped to the log pipeline elsewhere). */

export interface AuditEvent {
  at: number;
  action: string;
  clientId: string;
  subject: string | null;
}

const events: AuditEvent[] = [];
const MAX_EVENTS = 10000;

export function recordAudit(action: string, clientId: string, subject: string | null = null): void {
  events.push({ at: Date.now(), action, clientId, subject });
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
}

export function auditTrail(clientId: string, limit = 50): AuditEvent[] {
  const matching: AuditEvent[] = [];
  for (const event of [...events].reverse()) {
    if (matching.length >= limit) break;
    if (event.clientId === clientId) matching.push(event);
  }
  return matching;
}

export function countActions(since: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.at < since) continue;
    counts.set(event.action, (counts.get(event.action) ?? 0) + 1);
  }
  return counts;
}
`;

const FIXED_FILES = [
  ["src/types/scope-ceiling.d.ts", SCOPE_CEILING_DTS],
  ["src/types/jsonwebtoken.d.ts", JSONWEBTOKEN_DTS],
  ["src/types/jose.d.ts", JOSE_DTS],
  ["src/types/prisma-client.d.ts", PRISMA_DTS],
  ["src/http/types.ts", HTTP_TYPES],
  ["src/auth/better-auth.ts", BETTER_AUTH],
  ["src/security/scopes.ts", SECURITY_SCOPES],
  ["src/db/prisma.ts", DB_PRISMA],
  ["src/models/client-application.ts", CLIENT_APPLICATION],
  ["src/models/oauth-access-token.ts", OAUTH_MODELS],
  ["src/lib/strings.ts", LIB_STRINGS],
  ["src/lib/validation.ts", LIB_VALIDATION],
  ["src/lib/collections.ts", LIB_COLLECTIONS],
  ["src/lib/numbers.ts", LIB_NUMBERS],
  ["src/lib/tokens.ts", LIB_TOKENS],
  ["src/lib/audit.ts", LIB_AUDIT],
];

// ---------------------------------------------------------------------------------------------
// Models, repositories, services and routes of one entity.

function fieldType(e, field) {
  if (field === "status") return `${e.Name}Status`;
  if (e.numbers.includes(field)) return "number";
  if (e.booleans.includes(field)) return "boolean";
  return "string";
}

function dataFields(e) {
  return ["status", ...e.strings, ...e.numbers, ...e.booleans];
}

const MODEL_METHODS = [
  (e) => `describe(): string {
  const parts = [this.${e.s0}, "(" + this.status.replace(/_/g, " ") + ")"];
  if (this.tags.length > 0) parts.push("#" + this.tags.join(" #"));
  return parts.join(" ");
}`,
  () => `hasTag(tag: string): boolean {
  const wanted = tag.trim().toLowerCase();
  return this.tags.some((candidate) => candidate.toLowerCase() === wanted);
}`,
  (e) => `withTags(...tags: string[]): ${e.Name} {
  const next = [...this.tags];
  for (const tag of tags) {
    const normalized = tag.trim().toLowerCase();
    if (normalized.length > 0 && !next.includes(normalized)) next.push(normalized);
  }
  return new ${e.Name}({ ...this.toJSON(), tags: next });
}`,
  (e) => `validateInvariants(): string[] {
  const problems: string[] = [];
  if (this.${e.n0} < 0) problems.push("${e.n0} is negative");
  if (this.${e.n1} < 0) problems.push("${e.n1} is negative");
  if (this.${e.s0}.length === 0) problems.push("${e.s0} is empty");
  if (this.updatedAt < this.createdAt) problems.push("updatedAt precedes createdAt");
  if (this.status === "${e.terminal}" && this.updatedAt === this.createdAt) {
    problems.push("closed without any update");
  }
  return problems;
}`,
  () => `ageInDays(now: number): number {
  const elapsed = Math.max(0, now - this.createdAt);
  return Math.floor(elapsed / 86400000);
}`,
  (e) => `toSummary(): { id: string; label: string; status: ${e.Name}Status } {
  return { id: this.id, label: this.${e.s0}.length > 40 ? this.${e.s0}.slice(0, 39) + "..." : this.${e.s0}, status: this.status };
}`,
  (e) => `compareTo(other: ${e.Name}): number {
  if (this.${e.n0} !== other.${e.n0}) return this.${e.n0} - other.${e.n0};
  if (this.${e.s0} !== other.${e.s0}) return this.${e.s0} < other.${e.s0} ? -1 : 1;
  return this.id < other.id ? -1 : this.id > other.id ? 1 : 0;
}`,
  (e) => `static fromRows(rows: readonly ${e.Name}Attributes[]): ${e.Name}[] {
  const items: ${e.Name}[] = [];
  for (const row of rows) {
    if (row.id.length === 0) continue;
    items.push(new ${e.Name}(row));
  }
  return items;
}`,
  (e) => `diff(other: ${e.Name}): string[] {
  const changed: string[] = [];
${dataFields(e)
  .map((field) => `  if (this.${field} !== other.${field}) changed.push("${field}");`)
  .join("\n")}
  if (this.tags.join(",") !== other.tags.join(",")) changed.push("tags");
  return changed;
}`,
];

function modelFile(rng, e) {
  const f = new SourceFile(`src/${e.model}.ts`, [`/** ${e.Name}: attributes, validation and behaviour. */`]);
  const target = rng.fileLength();
  f.use("lib/validation", ["type ValidationIssue", "type ValidationResult", "requireString", "optionalString", "requireOneOf", "optionalStringList"]);
  if (e.numbers.length > 0) f.use("lib/validation", ["optionalNumber"]);
  if (e.booleans.length > 0) f.use("lib/validation", ["optionalBoolean"]);
  f.use("lib/strings", ["normalizeWhitespace"]);
  const statuses = e.statuses.map((status) => `"${status}"`);
  f.block(`export type ${e.Name}Status = ${statuses.join(" | ")};

export const ${e.CONST}_STATUSES: readonly ${e.Name}Status[] = [${statuses.join(", ")}];

export function is${e.Name}Status(value: string): value is ${e.Name}Status {
  return ${e.CONST}_STATUSES.some((status) => status === value);
}`);
  const attributes = ["id", ...dataFields(e)].map((field) => `  ${field}: ${field === "id" ? "string" : fieldType(e, field)};`);
  f.block(`export interface ${e.Name}Attributes {
${attributes.join("\n")}
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

export type ${e.Name}Input = Omit<${e.Name}Attributes, "id" | "createdAt" | "updatedAt">;`);
  const all = ["id", ...dataFields(e), "tags", "createdAt", "updatedAt"];
  const reads = [];
  for (const field of e.strings) {
    reads.push(field === e.s0 ? `const ${field} = requireString(input, "${field}", issues);` : `const ${field} = optionalString(input, "${field}", issues);`);
    if (field === "contactEmail") {
      f.use("lib/validation", ["isEmail"]);
      reads.push(`if (contactEmail.length > 0 && !isEmail(contactEmail)) {`, `  issues.push({ field: "contactEmail", message: "is not an email address" });`, `}`);
    }
  }
  for (const field of e.numbers) reads.push(`const ${field} = optionalNumber(input, "${field}", issues, 0);`);
  for (const field of e.booleans) reads.push(`const ${field} = optionalBoolean(input, "${field}", issues, false);`);
  reads.push(`const status = requireOneOf(input, "status", ${e.CONST}_STATUSES, issues, "${e.initial}");`);
  reads.push(`const tags = optionalStringList(input, "tags", issues);`);
  const body = [];
  body.push(...all.map((field) => `${field}: ${field === "id" ? "string" : field === "tags" ? "string[]" : field.endsWith("At") ? "number" : fieldType(e, field)};`));
  body.push("");
  body.push(`constructor(attributes: ${e.Name}Attributes) {`);
  for (const field of all) body.push(field === "tags" ? `  this.tags = [...attributes.tags];` : `  this.${field} = attributes.${field};`);
  body.push("}");
  body.push("");
  body.push(`static parse(input: Record<string, unknown>): ValidationResult<${e.Name}Input> {`);
  body.push(`  const issues: ValidationIssue[] = [];`);
  body.push(...reads.map((line) => `  ${line}`));
  body.push(`  if (issues.length > 0) {`, `    return { ok: false, issues };`, `  }`);
  body.push(`  return { ok: true, value: { ${[...dataFields(e), "tags"].join(", ")} } };`);
  body.push("}");
  body.push("");
  body.push(`toJSON(): ${e.Name}Attributes {`);
  body.push(`  return { ${all.map((field) => (field === "tags" ? "tags: [...this.tags]" : `${field}: this.${field}`)).join(", ")} };`);
  body.push("}");
  body.push("");
  body.push(`matches(query: string): boolean {`);
  body.push(`  const needle = normalizeWhitespace(query).toLowerCase();`);
  body.push(`  if (needle.length === 0) return true;`);
  body.push(`  const haystack = [${e.strings.map((field) => `this.${field}`).join(", ")}, ...this.tags].join(" ").toLowerCase();`);
  body.push(`  return needle.split(" ").every((word) => haystack.includes(word));`);
  body.push("}");
  body.push("");
  body.push(`withStatus(status: ${e.Name}Status, at: number): ${e.Name} {`);
  body.push(`  return new ${e.Name}({ ...this.toJSON(), status, updatedAt: at });`);
  body.push("}");
  body.push("");
  body.push(`isTerminal(): boolean {`);
  body.push(`  return this.status === "${e.terminal}";`);
  body.push("}");
  let lines = f.lineCount + body.length + 4;
  for (const method of rng.shuffle(MODEL_METHODS)) {
    const text = method(e);
    const size = text.split("\n").length + 1;
    if (lines + size > target && lines >= 56) break;
    body.push("", ...text.split("\n"));
    lines += size;
  }
  f.block(`export class ${e.Name} {\n${indent(body.join("\n"))}\n}`);
  return f;
}

const REPOSITORY_METHODS = [
  (e) => `async countByStatus(): Promise<Record<${e.Name}Status, number>> {
  const counts: Record<${e.Name}Status, number> = { ${e.statuses.map((status) => `"${status}": 0`).join(", ")} };
  for (const row of this.rows.values()) counts[row.status] += 1;
  return counts;
}`,
  (e) => `async findByTag(tag: string): Promise<${e.Name}[]> {
  const wanted = tag.trim().toLowerCase();
  const found: ${e.Name}[] = [];
  for (const row of this.rows.values()) {
    if (row.tags.some((candidate) => candidate.toLowerCase() === wanted)) found.push(new ${e.Name}(row));
  }
  return found;
}`,
  (e) => `async total${capitalize(e.n0)}(status?: ${e.Name}Status): Promise<number> {
  let total = 0;
  for (const row of this.rows.values()) {
    if (status !== undefined && row.status !== status) continue;
    total += row.${e.n0};
  }
  return total;
}`,
  (e) => `async findStale(before: number, limit = 100): Promise<${e.Name}[]> {
  const stale: ${e.Name}[] = [];
  for (const row of this.rows.values()) {
    if (row.updatedAt >= before || row.status === "${e.terminal}") continue;
    stale.push(new ${e.Name}(row));
    if (stale.length >= limit) break;
  }
  return stale;
}`,
  (e) => `async findTopBy${capitalize(e.n1)}(limit: number): Promise<${e.Name}[]> {
  const rows = [...this.rows.values()].sort((a, b) => b.${e.n1} - a.${e.n1} || a.id.localeCompare(b.id));
  return rows.slice(0, Math.max(0, limit)).map((row) => new ${e.Name}(row));
}`,
  (e) => `async insertMany(items: readonly ${e.Name}[]): Promise<{ inserted: number; skipped: string[] }> {
  let inserted = 0;
  const skipped: string[] = [];
  for (const item of items) {
    if (this.rows.has(item.id)) {
      skipped.push(item.id);
      continue;
    }
    this.rows.set(item.id, item.toJSON());
    inserted += 1;
  }
  return { inserted, skipped };
}`,
  (e) => `async findBy${capitalize(e.s1)}(value: string): Promise<${e.Name} | null> {
  const wanted = value.trim().toLowerCase();
  for (const row of this.rows.values()) {
    if (row.${e.s1}.toLowerCase() === wanted) return new ${e.Name}(row);
  }
  return null;
}`,
];

function repositoryFile(rng, e) {
  const f = new SourceFile(`src/${e.repository}.ts`, [`/** Storage of ${plural(e.name)} (in memory here; a database table in production). */`]);
  const target = rng.fileLength();
  f.use(e.model, [e.Name, `type ${e.Name}Attributes`, `type ${e.Name}Status`]);
  f.use("lib/collections", ["paginate", "type Page"]);
  f.block(`export interface ${e.Name}Query {
  status?: ${e.Name}Status;
  search?: string;
  offset?: number;
  limit?: number;
}`);
  const body = [
    `private readonly rows = new Map<string, ${e.Name}Attributes>();`,
    "",
    `async findById(id: string): Promise<${e.Name} | null> {`,
    `  const row = this.rows.get(id);`,
    `  return row ? new ${e.Name}(row) : null;`,
    "}",
    "",
    `async findMany(query: ${e.Name}Query): Promise<Page<${e.Name}>> {`,
    `  const matches: ${e.Name}[] = [];`,
    `  for (const row of this.rows.values()) {`,
    `    if (query.status !== undefined && row.status !== query.status) continue;`,
    `    const item = new ${e.Name}(row);`,
    `    if (query.search !== undefined && !item.matches(query.search)) continue;`,
    `    matches.push(item);`,
    `  }`,
    `  matches.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));`,
    `  return paginate(matches, query.offset ?? 0, query.limit ?? 50);`,
    "}",
    "",
    `async insert(item: ${e.Name}): Promise<${e.Name}> {`,
    `  if (this.rows.has(item.id)) {`,
    `    throw new Error("duplicate ${humanizeName(e.Name)} " + item.id);`,
    `  }`,
    `  this.rows.set(item.id, item.toJSON());`,
    `  return item;`,
    "}",
    "",
    `async save(item: ${e.Name}): Promise<${e.Name}> {`,
    `  this.rows.set(item.id, item.toJSON());`,
    `  return item;`,
    "}",
    "",
    `async remove(id: string): Promise<boolean> {`,
    `  return this.rows.delete(id);`,
    "}",
  ];
  let lines = f.lineCount + body.length + 12;
  for (const method of rng.shuffle(REPOSITORY_METHODS)) {
    const text = method(e);
    const size = text.split("\n").length + 1;
    if (lines + size > target && lines >= 56) break;
    body.push("", ...text.split("\n"));
    lines += size;
  }
  f.block(`export class ${e.Name}Repository {\n${indent(body.join("\n"))}\n}`);
  f.block(`export const ${e.name}Repository = new ${e.Name}Repository();`);
  return f;
}

function humanizeName(Name) {
  return kebabOf(Name).replace(/-/g, " ");
}

/**
 * Business functions: each takes the entity, the file (for its imports), a suffix that keeps names
 * unique within the entity, and another entity to link to; returns the code and, for functions a
 * route can call with an id, their name.
 */
const SERVICE_FUNCTIONS = [
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`, `type ${e.Name}Status`]);
    const type = `Record<${e.Name}Status, { count: number; total: number }>`;
    return `export function summarize${e.Plural}ByStatus${x}(items: readonly ${e.Name}[]): ${type} {
  const summary: ${type} = {
${e.statuses.map((status) => `    "${status}": { count: 0, total: 0 },`).join("\n")}
  };
  for (const item of items) {
    const bucket = summary[item.status];
    bucket.count += 1;
    bucket.total += item.${e.n0};
  }
  return summary;
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    return `export function rank${e.Plural}${x}(items: readonly ${e.Name}[], limit = 10): ${e.Name}[] {
  const scored = items
    .filter((item) => item.status !== "${e.terminal}")
    .map((item) => ({ item, score: item.${e.n0} * 2 + item.${e.n1} - (item.tags.length > 3 ? 1 : 0) }));
  scored.sort((a, b) => b.score - a.score || a.item.id.localeCompare(b.item.id));
  return scored.slice(0, Math.max(0, limit)).map((entry) => entry.item);
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/strings", ["escapeCsv"]);
    const columns = ["id", "status", e.s0, e.s1, e.n0, e.n1];
    return `const ${e.CONST}_CSV_COLUMNS${x} = [${columns.map((column) => `"${column}"`).join(", ")}, "tags"];

export function export${e.Plural}AsCsv${x}(items: readonly ${e.Name}[]): string {
  const lines: string[] = [${e.CONST}_CSV_COLUMNS${x}.join(",")];
  for (const item of items) {
    const cells = [
${columns.map((column) => `      escapeCsv(item.${column}),`).join("\n")}
      escapeCsv(item.tags.join(";")),
    ];
    lines.push(cells.join(","));
  }
  return lines.join("\\n");
}`;
  },
  ({ e, x }) => `export function parse${e.Name}Csv${x}(text: string): { rows: Record<string, unknown>[]; errors: string[] } {
  const rows: Record<string, unknown>[] = [];
  const errors: string[] = [];
  const lines = text.split(/\\r?\\n/).filter((line) => line.trim().length > 0);
  const header = (lines.shift() ?? "").split(",").map((cell) => cell.trim());
  if (!header.includes("${e.s0}")) {
    errors.push("missing column ${e.s0}");
    return { rows, errors };
  }
  lines.forEach((line, index) => {
    const cells = line.split(",");
    if (cells.length !== header.length) {
      errors.push("line " + String(index + 2) + ": expected " + String(header.length) + " cells, found " + String(cells.length));
      return;
    }
    const row: Record<string, unknown> = {};
    header.forEach((column, position) => {
      const raw = (cells[position] ?? "").trim();
      if (column === "${e.n0}" || column === "${e.n1}") row[column] = Number(raw);
      else if (column === "tags") row[column] = raw.split(";").filter((tag) => tag.length > 0);
      else row[column] = raw;
    });
    rows.push(row);
  });
  return { rows, errors };
}`,
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`, `type ${e.Name}Status`]);
    f.use(e.service, [`get${e.Name}`]);
    f.use(e.repository, [`${e.name}Repository`]);
    f.use("http/types", ["HttpError"]);
    const transitions = e.statuses.map((status, i) => {
      const next = [...new Set(e.statuses.slice(i + 1, i + 2).concat(i < e.statuses.length - 1 ? [e.terminal] : []))];
      return `  "${status}": [${next.map((value) => `"${value}"`).join(", ")}],`;
    });
    return {
      code: `const ${e.CONST}_TRANSITIONS${x}: Record<${e.Name}Status, readonly ${e.Name}Status[]> = {
${transitions.join("\n")}
};

export async function transition${e.Name}${x}(id: string, next: ${e.Name}Status): Promise<${e.Name}> {
  const item = await get${e.Name}(id);
  if (item.status === next) return item;
  const allowed = ${e.CONST}_TRANSITIONS${x}[item.status];
  if (!allowed.includes(next)) {
    throw new HttpError(409, "cannot move " + item.id + " from " + item.status + " to " + next);
  }
  return ${e.name}Repository.save(item.withStatus(next, Date.now()));
}`,
    };
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/strings", ["normalizeWhitespace"]);
    return `export function find${e.Name}Duplicates${x}(items: readonly ${e.Name}[]): Map<string, ${e.Name}[]> {
  const byKey = new Map<string, ${e.Name}[]>();
  for (const item of items) {
    const key = normalizeWhitespace(item.${e.s0}).toLowerCase();
    if (key.length === 0) continue;
    const bucket = byKey.get(key);
    if (bucket) bucket.push(item);
    else byKey.set(key, [item]);
  }
  for (const [key, bucket] of byKey) {
    if (bucket.length < 2) byKey.delete(key);
  }
  return byKey;
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/numbers", ["clamp", "roundTo"]);
    const flags = e.booleans.map((field, i) => `  if (item.${field}) score ${i % 2 === 0 ? "-=" : "+="} ${String(5 + i * 3)};`);
    return `export function compute${e.Name}Score${x}(item: ${e.Name}, weights: { ${e.n0}: number; ${e.n1}: number } = { ${e.n0}: 1, ${e.n1}: 0.5 }): number {
  let score = item.${e.n0} * weights.${e.n0} + item.${e.n1} * weights.${e.n1};
  if (item.status === "${e.initial}") score *= 0.8;
  else if (item.status === "${e.terminal}") score = 0;
${flags.join("\n")}${flags.length > 0 ? "\n" : ""}  if (item.tags.includes("priority")) score += 5;
  return roundTo(clamp(score, 0, 1000), 2);
}`;
  },
  ({ e, f, x }) => {
    f.use(e.service, [`get${e.Name}`]);
    f.use(e.repository, [`${e.name}Repository`]);
    f.use("lib/strings", ["slugify"]);
    return `export async function bulkTag${e.Plural}${x}(ids: readonly string[], tag: string): Promise<{ updated: string[]; failed: { id: string; reason: string }[] }> {
  const updated: string[] = [];
  const failed: { id: string; reason: string }[] = [];
  const normalized = slugify(tag);
  if (normalized.length === 0) {
    return { updated, failed: ids.map((id) => ({ id, reason: "empty tag" })) };
  }
  for (const id of ids) {
    try {
      const item = await get${e.Name}(id);
      if (item.tags.includes(normalized)) continue;
      item.tags.push(normalized);
      item.updatedAt = Date.now();
      await ${e.name}Repository.save(item);
      updated.push(id);
    } catch (error) {
      failed.push({ id, reason: error instanceof Error ? error.message : "unknown error" });
    }
  }
  return { updated, failed };
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    return `export function group${e.Plural}By${capitalize(e.s1)}${x}(items: readonly ${e.Name}[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = item.${e.s1}.trim().toLowerCase() || "(none)";
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`, `type ${e.Name}Status`]);
    f.use(e.repository, [`${e.name}Repository`]);
    f.use("lib/strings", ["normalizeWhitespace", "titleCase"]);
    f.use("lib/numbers", ["roundTo"]);
    f.use("lib/collections", ["type Page"]);
    return `export interface ${e.Name}View${x} {
  id: string;
  label: string;
  status: ${e.Name}Status;
  ${e.n0}: number;
  tags: string[];
}

export function to${e.Name}View${x}(item: ${e.Name}): ${e.Name}View${x} {
  return { id: item.id, label: titleCase(item.${e.s0}), status: item.status, ${e.n0}: roundTo(item.${e.n0}, 2), tags: [...item.tags].sort() };
}

export async function search${e.Plural}${x}(text: string, offset = 0, limit = 20): Promise<Page<${e.Name}View${x}>> {
  const query = normalizeWhitespace(text);
  const page = await ${e.name}Repository.findMany({ search: query.length > 0 ? query : undefined, offset, limit });
  return { ...page, items: page.items.map((item) => to${e.Name}View${x}(item)) };
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/numbers", ["average", "median", "roundTo"]);
    return `export function ${e.name}Statistics${x}(items: readonly ${e.Name}[]): { count: number; mean: number; median: number; max: number; min: number } {
  const values = items.filter((item) => item.status !== "${e.terminal}").map((item) => item.${e.n1});
  if (values.length === 0) return { count: 0, mean: 0, median: 0, max: 0, min: 0 };
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) {
    if (value > max) max = value;
    if (value < min) min = value;
  }
  return { count: values.length, mean: roundTo(average(values), 2), median: median(values), max, min };
}`;
  },
  ({ e, f, x, other }) => {
    if (!other) return null;
    f.use(e.service, [`get${e.Name}`, `describe${e.Name}`]);
    f.use(other.service, [`get${other.Name}`, `describe${other.Name}`]);
    f.use("lib/strings", ["truncate"]);
    return {
      code: `export async function link${e.Name}To${other.Name}${x}(id: string, otherId = "${other.idPrefix}_default"): Promise<{ id: string; label: string; compatible: boolean }> {
  const [item, other] = await Promise.all([get${e.Name}(id), get${other.Name}(otherId)]);
  const label = describe${e.Name}(item) + " -> " + describe${other.Name}(other);
  const shared = item.tags.filter((tag) => other.tags.includes(tag));
  const compatible = shared.length > 0 || item.${e.s0}.toLowerCase() === other.${other.s0}.toLowerCase();
  return { id: item.id, label: truncate(label, 120), compatible };
}`,
      routable: `link${e.Name}To${other.Name}${x}`,
    };
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/strings", ["isNonEmpty"]);
    return `export function check${e.Name}Rules${x}(item: ${e.Name}): string[] {
  const problems: string[] = [];
  if (item.${e.n0} < 0) problems.push("${e.n0} must not be negative");
  if (item.${e.n1} > 10000) problems.push("${e.n1} is unusually large");
  if (!isNonEmpty(item.${e.s0})) problems.push("${e.s0} is required");
  if (item.${e.s1}.length > 200) problems.push("${e.s1} is too long");
  if (item.status === "${e.terminal}" && item.tags.includes("open-issue")) problems.push("a closed record keeps an open issue");
  for (const tag of item.tags) {
    if (!/^[a-z0-9-]+$/.test(tag)) problems.push("tag " + JSON.stringify(tag) + " is not a slug");
  }
  return problems;
}`;
  },
  ({ e, f, x }) => {
    f.use(e.repository, [`${e.name}Repository`]);
    f.use("lib/collections", ["chunk", "uniqueBy"]);
    f.use("lib/strings", ["slugify"]);
    return `export async function reindex${e.Plural}${x}(batchSize = 100): Promise<number> {
  const page = await ${e.name}Repository.findMany({ offset: 0, limit: 10000 });
  let processed = 0;
  for (const batch of chunk(page.items, batchSize)) {
    for (const item of batch) {
      const before = item.tags.join(",");
      item.tags = uniqueBy(item.tags.map((tag) => slugify(tag)).filter((tag) => tag.length > 0), (tag) => tag);
      if (item.tags.join(",") !== before) {
        item.updatedAt = Date.now();
        await ${e.name}Repository.save(item);
      }
      processed += 1;
    }
  }
  return processed;
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [`type ${e.Name}`]);
    f.use("lib/strings", ["titleCase", "truncate"]);
    const cases = e.statuses.map((status, i) => `    case "${status}":\n      lines.push("${["Nothing to do yet.", "Please review it.", "It needs attention.", "No further action is needed."][Math.min(i, 3)]}");\n      break;`);
    return `export function format${e.Name}Notice${x}(item: ${e.Name}, audience: "owner" | "admin"): { subject: string; body: string } {
  const title = truncate(titleCase(item.${e.s0}), 60);
  const lines = ["Record " + item.id + " is now " + item.status.replace(/_/g, " ") + "."];
  if (audience === "admin") {
    lines.push("${e.n0}: " + String(item.${e.n0}));
    lines.push("tags: " + (item.tags.length > 0 ? item.tags.join(", ") : "none"));
  }
  switch (item.status) {
${cases.join("\n")}
  }
  return { subject: "[${e.Name}] " + title, body: lines.join("\\n") };
}`;
  },
  ({ e, f, x }) => {
    f.use(e.model, [e.Name]);
    f.use("lib/collections", ["uniqueBy"]);
    return `export function merge${e.Plural}${x}(primary: ${e.Name}, secondary: ${e.Name}): ${e.Name} {
  return new ${e.Name}({
    ...primary.toJSON(),
    ${e.s1}: primary.${e.s1}.length > 0 ? primary.${e.s1} : secondary.${e.s1},
    ${e.n0}: Math.max(primary.${e.n0}, secondary.${e.n0}),
    tags: uniqueBy([...primary.tags, ...secondary.tags], (tag) => tag),
    createdAt: Math.min(primary.createdAt, secondary.createdAt),
    updatedAt: Math.max(primary.updatedAt, secondary.updatedAt),
  });
}`;
  },
  ({ e, f, x }) => {
    f.use(e.service, [`get${e.Name}`, `describe${e.Name}`]);
    const checks = e.numbers.map((field) => `  if (item.${field} === 0) warnings.push("${field} is zero");`);
    return {
      code: `export async function report${e.Name}${x}(id: string): Promise<{ id: string; summary: string; warnings: string[]; ageDays: number }> {
  const item = await get${e.Name}(id);
  const warnings: string[] = [];
${checks.join("\n")}
  if (item.tags.length === 0) warnings.push("no tags");
  if (item.status === "${e.initial}" && Date.now() - item.createdAt > 30 * 86400000) warnings.push("still ${e.initial} after 30 days");
  const ageDays = Math.floor((Date.now() - item.createdAt) / 86400000);
  return { id: item.id, summary: describe${e.Name}(item), warnings, ageDays };
}`,
      routable: `report${e.Name}${x}`,
    };
  },
  ({ e, f, x }) => {
    f.use(e.repository, [`${e.name}Repository`]);
    f.use("lib/numbers", ["percentage"]);
    return {
      code: `export async function ${e.name}Health${x}(id: string): Promise<{ id: string; completeness: number; missing: string[] }> {
  const item = await ${e.name}Repository.findById(id);
  if (!item) return { id, completeness: 0, missing: ["record"] };
  const fields: [string, boolean][] = [
${e.strings.map((field) => `    ["${field}", item.${field}.trim().length > 0],`).join("\n")}
${e.numbers.map((field) => `    ["${field}", item.${field} !== 0],`).join("\n")}
  ];
  const missing = fields.filter(([, present]) => !present).map(([field]) => field);
  return { id: item.id, completeness: percentage(fields.length - missing.length, fields.length), missing };
}`,
      routable: `${e.name}Health${x}`,
    };
  },
];

/** Fills a service file with business functions up to its target length. */
function fillServices(rng, e, f, target, used, entities) {
  let lines = f.lineCount;
  const order = rng.shuffle(SERVICE_FUNCTIONS.map((_, index) => index));
  for (const index of order) {
    if (lines >= target) break;
    const count = used.get(index) ?? 0;
    const x = count === 0 ? "" : String(count + 1);
    const other = e.index > 0 ? entities[rng.int(0, e.index - 1)] : null;
    const probe = new SourceFile(f.path);
    const made = SERVICE_FUNCTIONS[index]({ e, f: probe, x, other });
    if (!made) continue;
    const code = typeof made === "string" ? made : made.code;
    const size = code.split("\n").length + 1 + probe.imports.size;
    if (lines + size > 300 || (lines + size > target + 20 && lines >= 50)) continue;
    for (const [module, entry] of probe.imports) {
      const names = [...entry.named].map(([name, isType]) => (isType ? `type ${name}` : name));
      if (entry.defaultName) names.push(`default ${entry.defaultName}`);
      if (entry.namespaceName) names.push(`* as ${entry.namespaceName}`);
      f.use(module.replace(/^src\//, ""), names);
    }
    f.block(code);
    lines += size;
    used.set(index, count + 1);
    if (typeof made !== "string" && made.routable) e.routable.push({ name: made.routable, file: f.path.replace(/^src\//, "").replace(/\.ts$/, "") });
  }
}

function mainServiceFile(rng, e, used, entities) {
  const f = new SourceFile(`src/${e.service}.ts`, [`/** ${e.Name}: the use cases the routes call. */`]);
  f.use("http/types", ["HttpError"]);
  f.use("lib/tokens", ["newId"]);
  f.use("lib/validation", ["issuesToMessage"]);
  f.use("lib/collections", ["type Page"]);
  f.use(e.model, [e.Name]);
  f.use(e.repository, [`${e.name}Repository`, `type ${e.Name}Query`]);
  f.block(`export async function get${e.Name}(id: string): Promise<${e.Name}> {
  const found = await ${e.name}Repository.findById(id);
  if (!found) {
    throw new HttpError(404, "${humanizeName(e.Name)} " + id + " not found");
  }
  return found;
}

export async function list${e.Plural}(query: ${e.Name}Query): Promise<Page<${e.Name}>> {
  return ${e.name}Repository.findMany(query);
}

export function describe${e.Name}(item: ${e.Name}): string {
  return item.${e.s0} + " [" + item.status + "]";
}

export async function create${e.Name}(input: Record<string, unknown>): Promise<${e.Name}> {
  const result = ${e.Name}.parse(input);
  if (!result.ok) {
    throw new HttpError(422, issuesToMessage(result.issues));
  }
  const now = Date.now();
  return ${e.name}Repository.insert(new ${e.Name}({ ...result.value, id: newId("${e.idPrefix}"), createdAt: now, updatedAt: now }));
}

export async function update${e.Name}(id: string, input: Record<string, unknown>): Promise<${e.Name}> {
  const current = await get${e.Name}(id);
  const result = ${e.Name}.parse({ ...current.toJSON(), ...input });
  if (!result.ok) {
    throw new HttpError(422, issuesToMessage(result.issues));
  }
  return ${e.name}Repository.save(new ${e.Name}({ ...result.value, id: current.id, createdAt: current.createdAt, updatedAt: Date.now() }));
}

export async function archive${e.Name}(id: string): Promise<${e.Name}> {
  const current = await get${e.Name}(id);
  if (current.status === "${e.terminal}") return current;
  return ${e.name}Repository.save(current.withStatus("${e.terminal}", Date.now()));
}`);
  fillServices(rng, e, f, rng.fileLength(), used, entities);
  return f;
}

function aspectServiceFile(rng, e, aspect, used, entities) {
  const f = new SourceFile(`src/services/${e.kebab}-${aspect}.ts`, [`/** ${e.Name}: ${aspect}. */`]);
  fillServices(rng, e, f, Math.max(60, rng.fileLength()), used, entities);
  return f;
}

function routesFile(rng, e) {
  const f = new SourceFile(`src/${e.routes}.ts`, [`/** HTTP routes for ${plural(humanizeName(e.Name))}. */`]);
  f.use("http/types", ["HttpError", "type Request", "type Response", "type Router"]);
  f.use("lib/numbers", ["parseInteger"]);
  f.use("lib/strings", ["splitTags"]);
  f.use(e.model, [`is${e.Name}Status`]);
  f.use(e.service, [`archive${e.Name}`, `create${e.Name}`, `get${e.Name}`, `list${e.Plural}`, `update${e.Name}`]);
  const base = `/${plural(e.kebab)}`;
  f.block(`/** Links of a page of results: self, and next and previous when there are any. */
function pageLinks(path: string, offset: number, limit: number, total: number): Record<string, string> {
  const link = (start: number) => path + "?offset=" + String(start) + "&limit=" + String(limit);
  const links: Record<string, string> = { self: link(offset) };
  if (offset + limit < total) links.next = link(offset + limit);
  if (offset > 0) links.prev = link(Math.max(0, offset - limit));
  return links;
}`);
  f.block(`export async function list${e.Plural}Handler(req: Request, res: Response): Promise<void> {
  const offset = parseInteger(req.query.offset, 0, 0, 100000);
  const limit = parseInteger(req.query.limit, 50, 1, 500);
  const status = req.query.status;
  if (status !== undefined && !is${e.Name}Status(status)) {
    throw new HttpError(400, "unknown status " + status);
  }
  const page = await list${e.Plural}({ status, search: req.query.q, offset, limit });
  res.status(200).json({ ...page, items: page.items.map((item) => item.toJSON()), links: pageLinks("${base}", offset, limit, page.total) });
}

export async function get${e.Name}Handler(req: Request, res: Response): Promise<void> {
  const item = await get${e.Name}(req.params.id ?? "");
  res.status(200).json(item.toJSON());
}

export async function create${e.Name}Handler(req: Request, res: Response): Promise<void> {
  const created = await create${e.Name}({ ...req.body, tags: splitTags(req.body.tags) });
  res.header("location", "${base}/" + created.id).status(201).json(created.toJSON());
}

export async function update${e.Name}Handler(req: Request, res: Response): Promise<void> {
  const input: Record<string, unknown> = { ...req.body };
  if (req.body.tags !== undefined) input.tags = splitTags(req.body.tags);
  const updated = await update${e.Name}(req.params.id ?? "", input);
  res.status(200).json(updated.toJSON());
}

export async function archive${e.Name}Handler(req: Request, res: Response): Promise<void> {
  const archived = await archive${e.Name}(req.params.id ?? "");
  res.status(200).json(archived.toJSON());
}`);
  const registrations = [
    `router.get("${base}", list${e.Plural}Handler);`,
    `router.get("${base}/:id", get${e.Name}Handler);`,
    `router.post("${base}", create${e.Name}Handler);`,
    `router.put("${base}/:id", update${e.Name}Handler);`,
    `router.delete("${base}/:id", archive${e.Name}Handler);`,
  ];
  for (const { name, file } of e.routable) {
    if (f.lineCount + 10 > 290) break;
    f.use(file, [name]);
    f.block(`export async function ${name}Handler(req: Request, res: Response): Promise<void> {
  const id = req.params.id ?? "";
  if (id.length === 0) {
    throw new HttpError(400, "missing id");
  }
  res.status(200).json(await ${name}(id));
}`);
    registrations.push(`router.get("${base}/:id/${kebabOf(name)}", ${name}Handler);`);
  }
  f.block(`export function register${e.Name}Routes(router: Router): void {\n${indent(registrations.join("\n"))}\n}`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Issuance: OAuth modules whose chains carry a scope from a route to a sink across 1-4 files.

/** Sinks of the default, better-auth and jwt presets. */
const SINKS = [
  "modelCreate", "modelBulkCreate", "modelNew", "modelFindOrCreate",
  "prismaCreate", "prismaCreateMany", "prismaUpsert", "prismaUpdate",
  "betterAuth", "jwtSign", "joseSign",
];
/** Sinks that write the scope at exactly one place: the only ones that carry planted bugs. */
const SINGLE_SCOPE_SINKS = ["modelCreate", "modelNew", "modelFindOrCreate", "prismaCreate", "betterAuth", "jwtSign", "joseSign"];
/** Sinks that return the written row, so the guard's call may be written inline at the scope. */
const ROW_SINKS = new Set(["modelCreate", "modelNew", "modelFindOrCreate", "prismaCreate"]);
const GUARDS = ["returns", "returns-inline", "returns-composed", "asserts", "predicate-throw", "predicate-if"];
const FLAVORS = ["authorization_code", "client_credentials", "refresh_token", "password"];
/** Files of a chain by depth: the route always, the store holds the sink when there is more than one. */
const HOP_ROLES = { 1: ["route"], 2: ["route", "store"], 3: ["route", "service", "store"], 4: ["route", "service", "issuer", "store"] };
const PLANTED_LITERALS = ["openid profile admin", "reports:read reports:export", "billing:write", "openid offline_access users:admin"];

function planIssuance(rng, modules) {
  const chains = [];
  for (let k = 1; k <= modules; k++) {
    const count = rng.int(4, 7);
    for (let i = 0; i < count; i++) {
      chains.push({ n: chains.length + 1, module: k, depth: i === 0 ? 4 : rng.int(1, 4), planted: null });
    }
  }
  // About 10% of the issuance files, at least one; never the first chain of a module (it spans all four files).
  const plantedCount = Math.max(1, Math.round(0.1 * modules * 4));
  const eligible = chains.filter((chain, index) => index > 0 && chains[index - 1]?.module === chain.module);
  const shapes = ["raw-at-sink", "literal-to-helper", "one-branch"];
  const shapeOffset = rng.int(0, shapes.length - 1);
  rng.sample(eligible, Math.min(plantedCount, eligible.length)).forEach((chain, index) => {
    chain.planted = shapes[(shapeOffset + index) % shapes.length];
  });
  const sinkOrder = rng.shuffle(SINKS);
  const guardOrder = rng.shuffle(GUARDS);
  let sinkAt = 0;
  let guardAt = 0;
  for (const chain of chains) {
    chain.narrow = rng.chance(0.3);
    chain.grantedType = rng.chance(0.4);
    chain.callback = rng.chance(0.5);
    chain.namedJwtImport = rng.chance(0.5);
    if (chain.planted) {
      chain.sink = rng.pick(SINGLE_SCOPE_SINKS);
      chain.guard = null;
      chain.guardHop = null;
      if (chain.planted === "literal-to-helper") chain.depth = Math.max(2, chain.depth);
      else chain.depth = 1;
      chain.oneBranchGuard = rng.pick(["returns", "asserts"]);
      chain.literal = rng.pick(PLANTED_LITERALS);
    } else {
      chain.sink = sinkOrder[sinkAt++ % sinkOrder.length];
      chain.guard = guardOrder[guardAt++ % guardOrder.length];
      chain.guardHop = rng.int(1, chain.depth);
      // The guard's call written inline needs a place that takes an expression: an argument, or a sink that returns the row.
      if (chain.guard === "returns-inline" && chain.guardHop === chain.depth && !ROW_SINKS.has(chain.sink)) chain.guard = "returns";
    }
    if (chain.sink === "betterAuth") chain.flavor = "better-auth";
    else if (chain.planted === "raw-at-sink" || chain.planted === "one-branch") chain.flavor = rng.pick(["client_credentials", "refresh_token", "password"]);
    else chain.flavor = rng.pick(FLAVORS);
  }
  return chains;
}

function hopName(chain, role) {
  const flavor = chain.flavor === "better-auth" ? "Endpoint" : pascal(chain.flavor.split("_"));
  switch (role) {
    case "route":
      return chain.flavor === "better-auth" ? `oauthTokenEndpoint${String(chain.n)}` : `handle${flavor}Grant${String(chain.n)}`;
    case "service":
      return `issue${flavor}Token${String(chain.n)}`;
    case "issuer":
      return `prepareAccessToken${String(chain.n)}`;
    default:
      return chain.sink === "jwtSign" || chain.sink === "joseSign" ? `signAccessToken${String(chain.n)}` : `persistAccessToken${String(chain.n)}`;
  }
}

const isIdentifier = (expression) => /^[A-Za-z_$][\w$]*$/.test(expression);

/** The route's opening: the client, the user, and the requested scope as an expression. */
function routePreamble(chain, f) {
  f.use("models/client-application", ["ClientApplication"]);
  if (chain.flavor === "better-auth") {
    return {
      lines: [
        `const client = await ClientApplication.requireByClientId(ctx.body.client_id);`,
        `const userId = ctx.context.session?.user.id ?? client.clientId;`,
      ],
      requested: "ctx.body.scope",
      options: "",
    };
  }
  f.use("http/types", ["HttpError"]);
  const lines = [
    `if (req.body.grant_type !== "${chain.flavor}") {`,
    `  throw new HttpError(400, "unsupported_grant_type");`,
    `}`,
    `const client = await ClientApplication.requireByClientId(req.body.client_id);`,
  ];
  switch (chain.flavor) {
    case "authorization_code":
      f.use("models/oauth-access-token", ["AuthorizationCode"]);
      lines.push(
        `const grant = await AuthorizationCode.consume(req.body.code, client.clientId);`,
        `if (grant.redirectUri !== req.body.redirect_uri) {`,
        `  throw new HttpError(400, "invalid_grant");`,
        `}`,
        `const userId = grant.userId;`,
      );
      return { lines, requested: "grant.scope", options: "" };
    case "refresh_token":
      f.use("models/oauth-access-token", ["OAuthRefreshToken"]);
      lines.push(`const refreshToken = await OAuthRefreshToken.requireActive(req.body.refresh_token, client.clientId);`, `const userId = refreshToken.userId;`);
      return { lines, requested: "req.body.scope", options: ", original: refreshToken.scope" };
    case "password":
      f.use("models/oauth-access-token", ["UserAccount"]);
      lines.push(`const userId = await UserAccount.authenticate(req.body.username, req.body.password);`);
      return { lines, requested: "req.body.scope", options: ', defaultScopes: "openid profile"' };
    default:
      lines.push(`if (!client.firstParty && req.body.client_secret === undefined) {`, `  throw new HttpError(401, "invalid_client");`, `}`, `const userId = client.clientId;`);
      return { lines, requested: "req.body.scope", options: "" };
  }
}

/**
 * The sink writing `scope` (an expression; marked when planted). Returns the lines and the token
 * response expression.
 */
function sinkLines(chain, scope, f, { mark = false, callbacksAllowed = false } = {}) {
  const field = chain.sink === "betterAuth" ? "scopes" : "scope";
  const scopeLine = (pad) => {
    const text = `${pad}${scope === field ? `${field},` : `${field}: ${scope},`}`;
    return mark ? plant(text, chain) : text;
  };
  const response = (scopeExpression, token = "token") =>
    `{ access_token: ${token}, token_type: "Bearer", expires_in: ttl, ${scopeExpression === "scope" ? "scope" : `scope: ${scopeExpression}`} }`;
  const expires = "Date.now() + ttl * 1000";
  const lines = [];
  f.use("lib/tokens", ["opaqueToken"]);
  switch (chain.sink) {
    case "modelCreate":
      f.use("models/oauth-access-token", ["OAuthAccessToken"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(`const token = opaqueToken();`, `const row = await OAuthAccessToken.create({`, `  token: hashToken(token),`, `  clientId: client.clientId,`, `  userId,`, scopeLine("  "), `  expiresAt: ${expires},`, `});`);
      return { lines, result: response("row.scope") };
    case "modelNew":
      f.use("models/oauth-access-token", ["OAuthAccessToken"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(`const token = opaqueToken();`, `const record = new OAuthAccessToken({`, `  token: hashToken(token),`, `  clientId: client.clientId,`, `  userId,`, scopeLine("  "), `  expiresAt: ${expires},`, `});`, `await record.save();`);
      return { lines, result: response("record.scope") };
    case "modelFindOrCreate":
      f.use("models/oauth-access-token", ["OAuthAccessToken"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(
        `const token = opaqueToken();`,
        `const [row, created] = await OAuthAccessToken.findOrCreate({`,
        `  where: { clientId: client.clientId, userId },`,
        `  defaults: {`,
        `    token: hashToken(token),`,
        `    clientId: client.clientId,`,
        `    userId,`,
        scopeLine("    "),
        `    expiresAt: ${expires},`,
        `  },`,
        `});`,
      );
      return { lines, result: response("row.scope", "created ? token : row.token") };
    case "modelBulkCreate": {
      f.use("models/oauth-access-token", ["OAuthAccessToken"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(`const token = opaqueToken();`, `const expiresAt = ${expires};`);
      if (callbacksAllowed && chain.callback) {
        lines.push(
          `const audiences = client.firstParty ? ["api", "internal"] : ["api"];`,
          `const rows = audiences.map((audience, index) => ({`,
          `  token: hashToken(index === 0 ? token : opaqueToken()),`,
          `  clientId: client.clientId,`,
          `  userId,`,
          `  audience,`,
          `  ${field}: ${scope},`,
          `  expiresAt,`,
          `}));`,
        );
      } else {
        lines.push(
          `const rows = [`,
          `  { token: hashToken(token), clientId: client.clientId, userId, audience: "api", ${field}: ${scope}, expiresAt },`,
          `  { token: hashToken(opaqueToken()), clientId: client.clientId, userId, audience: "reporting", ${field}: ${scope}, expiresAt },`,
          `];`,
        );
      }
      lines.push(`await OAuthAccessToken.bulkCreate(rows);`);
      return { lines, result: response(scope) };
    }
    case "prismaCreate":
      f.use("db/prisma", ["prisma"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(`const token = opaqueToken();`);
      if (callbacksAllowed && chain.callback) {
        f.use("lib/audit", ["recordAudit"]);
        lines.push(
          `const row = await prisma.$transaction(async (tx) => {`,
          `  recordAudit("token.create", client.clientId, userId);`,
          `  return tx.oAuthAccessToken.create({`,
          `    data: {`,
          `      token: hashToken(token),`,
          `      clientId: client.clientId,`,
          `      userId,`,
          scopeLine("      "),
          `      expiresAt: ${expires},`,
          `    },`,
          `  });`,
          `});`,
        );
      } else {
        lines.push(`const row = await prisma.oAuthAccessToken.create({`, `  data: {`, `    token: hashToken(token),`, `    clientId: client.clientId,`, `    userId,`, scopeLine("    "), `    expiresAt: ${expires},`, `  },`, `});`);
      }
      return { lines, result: response("row.scope") };
    case "prismaCreateMany":
      f.use("db/prisma", ["prisma"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(`const token = opaqueToken();`, `const expiresAt = ${expires};`);
      if (callbacksAllowed && chain.callback) {
        lines.push(
          `const tokens = [token, opaqueToken()];`,
          `const result = await prisma.oAuthAccessToken.createMany({`,
          `  data: tokens.map((value) => ({ token: hashToken(value), clientId: client.clientId, userId, ${field}: ${scope}, expiresAt })),`,
          `  skipDuplicates: true,`,
          `});`,
        );
      } else {
        lines.push(
          `const result = await prisma.oAuthAccessToken.createMany({`,
          `  data: [`,
          `    { token: hashToken(token), clientId: client.clientId, userId, audience: "api", ${field}: ${scope}, expiresAt },`,
          `    { token: hashToken(opaqueToken()), clientId: client.clientId, userId, audience: "reporting", ${field}: ${scope}, expiresAt },`,
          `  ],`,
          `});`,
        );
      }
      f.use("http/types", ["HttpError"]);
      lines.push(`if (result.count === 0) {`, `  throw new HttpError(500, "no token written");`, `}`);
      return { lines, result: response(scope) };
    case "prismaUpsert":
      f.use("db/prisma", ["prisma"]);
      f.use("lib/tokens", ["hashToken"]);
      lines.push(
        `const token = opaqueToken();`,
        `const row = await prisma.oAuthAccessToken.upsert({`,
        `  where: { token: hashToken(client.clientId + ":" + userId) },`,
        `  create: { token: hashToken(token), clientId: client.clientId, userId, ${field}: ${scope}, expiresAt: ${expires} },`,
        `  update: { ${field}: ${scope}, expiresAt: ${expires} },`,
        `});`,
      );
      return { lines, result: response("row.scope") };
    case "prismaUpdate":
      f.use("db/prisma", ["prisma"]);
      f.use("lib/tokens", ["hashToken"]);
      f.use("http/types", ["HttpError"]);
      lines.push(
        `const existing = await prisma.oAuthAccessToken.findUnique({ where: { token: hashToken(client.clientId + ":" + userId) } });`,
        `if (!existing) {`,
        `  throw new HttpError(404, "no token to rotate");`,
        `}`,
        `const token = opaqueToken();`,
        `const row = await prisma.oAuthAccessToken.update({`,
        `  where: { id: existing.id },`,
        `  data: { token: hashToken(token), ${field}: ${scope}, expiresAt: ${expires} },`,
        `});`,
      );
      return { lines, result: response("row.scope") };
    case "betterAuth":
      f.use("lib/tokens", ["hashToken"]);
      lines.push(
        `const token = opaqueToken();`,
        `await ctx.context.adapter.create({`,
        `  model: "oauthAccessToken",`,
        `  data: {`,
        `    accessToken: hashToken(token),`,
        `    clientId: client.clientId,`,
        `    userId,`,
        scopeLine("    "),
        `    accessTokenExpiresAt: ${expires},`,
        `  },`,
        `});`,
      );
      return { lines, result: response(scope) };
    case "jwtSign": {
      // A namespace import: the checker misses `jwt.sign` through a default import (reported separately).
      f.use("jsonwebtoken", [chain.namedJwtImport ? "sign" : "* as jwt"]);
      f.use("lib/tokens", ["signingSecret"]);
      lines.push(
        `const token = ${chain.namedJwtImport ? "sign" : "jwt.sign"}(`,
        `  {`,
        `    sub: userId,`,
        `    client_id: client.clientId,`,
        scopeLine("    "),
        `  },`,
        `  signingSecret(),`,
        `  { expiresIn: ttl, audience: "api" },`,
        `);`,
      );
      return { lines, result: response(scope) };
    }
    default:
      f.use("jose", ["SignJWT"]);
      f.use("lib/tokens", ["signingKey"]);
      lines.push(
        `const token = await new SignJWT({`,
        `  sub: userId,`,
        `  client_id: client.clientId,`,
        scopeLine("  "),
        `})`,
        `  .setProtectedHeader({ alg: "HS256" })`,
        `  .setIssuedAt()`,
        `  .setExpirationTime(String(ttl) + "s")`,
        `  .sign(signingKey());`,
      );
      return { lines, result: response(scope) };
  }
}

/** One function of a chain: hop `h` (1-based) of `chain.depth`. */
function hopFunction(chain, h, files, names) {
  const roles = HOP_ROLES[chain.depth];
  const role = roles[h - 1];
  const f = files[role];
  const betterAuth = chain.flavor === "better-auth";
  const isSink = h === chain.depth;
  const guarded = chain.guardHop !== null && h === chain.guardHop;
  const afterGuard = chain.guardHop !== null && h > chain.guardHop;
  const out = [];
  f.use("models/oauth-access-token", ["type TokenResponse"]);
  let requested;
  let options = "";
  if (h === 1) {
    if (betterAuth) {
      f.use("auth/better-auth", ["type AuthEndpointContext"]);
      out.push(`/** better-auth endpoint: ${chain.flavor}, ${chain.depth === 1 ? "writes the token itself" : `issues through ${names[1] ?? ""}`}. */`);
      out.push(`export async function ${names[0] ?? ""}(ctx: AuthEndpointContext): Promise<TokenResponse> {`);
    } else {
      f.use("http/types", ["type Request", "type Response"]);
      out.push(`/** POST token endpoint, grant_type=${chain.flavor}. */`);
      out.push(`export async function ${names[0] ?? ""}(req: Request, res: Response): Promise<void> {`);
    }
    const preamble = routePreamble(chain, f);
    out.push(...preamble.lines.map((line) => `  ${line}`));
    requested = preamble.requested;
    options = preamble.options;
  } else {
    f.use("models/client-application", ["type ClientApplication"]);
    if (betterAuth) f.use("auth/better-auth", ["type AuthEndpointContext"]);
    const parameter = chain.planted || afterGuard ? "scope" : "requestedScope";
    let type = "string";
    if (afterGuard && chain.grantedType && chain.guard.startsWith("returns")) {
      f.use("scope-ceiling", ["type GrantedScope"]);
      type = "GrantedScope";
    }
    const description = afterGuard ? "the scope was checked by the caller" : chain.planted ? "writes the scope it is given" : "checks the requested scope";
    const what = { service: "Issues an access token", issuer: "Prepares the access token", store: chain.sink === "jwtSign" || chain.sink === "joseSign" ? "Signs the access token" : "Writes the access token" }[role];
    out.push(`/** ${what ?? ""}: ${description}. */`);
    out.push(`export async function ${names[h - 1] ?? ""}(${betterAuth ? "ctx: AuthEndpointContext, " : ""}client: ClientApplication, userId: string, ${parameter}: ${type}): Promise<TokenResponse> {`);
    requested = parameter;
    if (role === "service") {
      f.use("http/types", ["HttpError"]);
      f.use("lib/audit", ["recordAudit"]);
      out.push(`  if (client.disabled) {`, `    throw new HttpError(403, "client_disabled");`, `  }`, `  recordAudit("token.issue", client.clientId, userId);`);
    } else if (role === "issuer") {
      f.use("lib/audit", ["recordAudit"]);
      out.push(`  const audience = client.firstParty ? "first-party" : "api";`, `  recordAudit("token.prepare:" + audience, client.clientId, userId);`);
    }
  }
  // The guard.
  let scope = requested;
  let wrap = null;
  const guardOptions = `{ ceiling: client.allowedScopes${h === 1 ? options : ""}${chain.narrow ? ', onExcess: "narrow"' : ""} }`;
  const variable = (name) => {
    if (isIdentifier(scope)) return scope;
    out.push(`  const ${name} = ${scope};`);
    return name;
  };
  if (guarded) {
    switch (chain.guard) {
      case "returns":
        f.use("scope-ceiling", ["withinCeiling"]);
        out.push(`  const granted = withinCeiling(${scope}, ${guardOptions});`);
        scope = "granted";
        break;
      case "returns-inline":
        f.use("scope-ceiling", ["withinCeiling"]);
        scope = `withinCeiling(${scope}, ${guardOptions})`;
        break;
      case "returns-composed":
        f.use(`services/token-service-${String(chain.module)}`, [`grantScope${String(chain.n)}`]);
        out.push(`  const granted = grantScope${String(chain.n)}(client, ${scope});`);
        scope = "granted";
        break;
      case "asserts":
        f.use("security/scopes", ["assertScopesAllowed"]);
        scope = variable("requested");
        out.push(`  assertScopesAllowed(client, ${scope});`);
        break;
      case "predicate-throw":
        f.use("security/scopes", ["isWithinCeiling"]);
        f.use("http/types", ["HttpError"]);
        scope = variable("requested");
        out.push(`  if (!isWithinCeiling(${scope}, client.allowedScopes)) {`, `    throw new HttpError(400, "invalid_scope");`, `  }`);
        break;
      default:
        f.use("security/scopes", ["isWithinCeiling"]);
        f.use("http/types", ["HttpError"]);
        scope = variable("requested");
        wrap = `isWithinCeiling(${scope}, client.allowedScopes)`;
        break;
    }
  }
  let mark = false;
  if (chain.planted === "one-branch") {
    if (chain.oneBranchGuard === "returns") {
      f.use("scope-ceiling", ["withinCeiling"]);
      out.push(`  let requested = ${scope};`, `  if (client.firstParty) {`, `    requested = withinCeiling(requested, { ceiling: client.allowedScopes });`, `  }`);
    } else {
      f.use("security/scopes", ["assertScopesAllowed"]);
      out.push(`  const requested = ${scope};`, `  if (!client.firstParty) {`, `    assertScopesAllowed(client, requested);`, `  }`);
    }
    scope = "requested";
    mark = true;
  } else if (chain.planted === "raw-at-sink") mark = true;
  // The action: the next hop, or the sink.
  const action = [];
  let result;
  if (!isSink) {
    const next = names[h] ?? "";
    f.use(roleModule(chain, roles[h] ?? ""), [next]);
    let argument = scope;
    let call = `const result = await ${next}(${betterAuth ? "ctx, " : ""}client, userId, ARG);`;
    if (chain.planted === "literal-to-helper" && h === 1) {
      argument = `"${chain.literal}"`;
      call = plant(call.replace("ARG", argument), chain);
    } else call = call.replace("ARG", argument);
    action.push(call);
    result = "result";
  } else {
    action.push(`const ttl = client.firstParty ? 7200 : 3600;`);
    // Callbacks see a value proven by its definition or by the callers, not by a check in this function.
    const callbacksAllowed = !chain.planted && (afterGuard || (guarded && (chain.guard === "returns" || chain.guard === "returns-composed")));
    const sink = sinkLines(chain, scope, f, { mark, callbacksAllowed });
    action.push(...sink.lines);
    result = sink.result;
  }
  if (h === 1 && !betterAuth) {
    action.push(`res.status(200).json(${result});`);
    if (wrap) action.push("return;");
  } else action.push(`return ${result};`);
  if (wrap) {
    out.push(`  if (${wrap}) {`, ...action.map((line) => `    ${line}`), `  }`, `  throw new HttpError(400, "invalid_scope");`);
  } else out.push(...action.map((line) => `  ${line}`));
  out.push("}");
  f.block(out.join("\n"));
}

function roleModule(chain, role) {
  const k = String(chain.module);
  return { route: `routes/oauth-${k}`, service: `services/token-service-${k}`, issuer: `services/token-issuer-${k}`, store: `repositories/token-store-${k}` }[role] ?? "";
}

/** OAuth helpers that fill the issuance files; none of them writes a token. */
const OAUTH_HELPERS = [
  (k) => `export function parseBasicAuthorization${k}(header: string | undefined): { clientId: string; clientSecret: string } | null {
  if (header === undefined || !header.startsWith("Basic ")) return null;
  const decoded = header.slice("Basic ".length).trim();
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  const clientId = decodeURIComponent(decoded.slice(0, colon));
  const clientSecret = decodeURIComponent(decoded.slice(colon + 1));
  return clientId.length > 0 && clientSecret.length > 0 ? { clientId, clientSecret } : null;
}`,
  (k) => `export function normalizeRedirectUri${k}(uri: string): string {
  const trimmed = uri.trim();
  const schemeEnd = trimmed.indexOf("://");
  if (schemeEnd === -1) return trimmed;
  const rest = trimmed.slice(schemeEnd + 3);
  const slash = rest.indexOf("/");
  const host = (slash === -1 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash === -1 ? "/" : rest.slice(slash);
  return trimmed.slice(0, schemeEnd).toLowerCase() + "://" + host + path;
}`,
  (k) => `export function isExpired${k}(expiresAt: number, now: number, skewSeconds = 30): boolean {
  return expiresAt - skewSeconds * 1000 <= now;
}`,
  (k) => `export function maskToken${k}(token: string): string {
  if (token.length <= 8) return "*".repeat(token.length);
  return token.slice(0, 4) + "*".repeat(token.length - 8) + token.slice(-4);
}`,
  (k) => `/** The scopes of a space-separated scope string, sorted and de-duplicated (for display only). */
export function listScopes${k}(scope: string): string[] {
  const seen = new Set<string>();
  for (const entry of scope.split(" ")) {
    if (entry.length > 0) seen.add(entry);
  }
  return [...seen].sort();
}`,
  (k) => `export function tokenCacheKey${k}(clientId: string, userId: string, audience = "api"): string {
  return ["token", clientId, userId, audience].map((part) => part.replace(/:/g, "_")).join(":");
}`,
  (k) => `const attempts${k} = new Map<string, { count: number; windowStart: number }>();

export function allowTokenRequest${k}(clientId: string, now: number, limit = 60, windowMs = 60000): boolean {
  const entry = attempts${k}.get(clientId);
  if (!entry || now - entry.windowStart >= windowMs) {
    attempts${k}.set(clientId, { count: 1, windowStart: now });
    return true;
  }
  entry.count += 1;
  return entry.count <= limit;
}`,
  (k) => `export type GrantType${k} = "authorization_code" | "client_credentials" | "refresh_token" | "password";

export function parseGrantType${k}(value: string | undefined): GrantType${k} | null {
  switch (value) {
    case "authorization_code":
    case "client_credentials":
    case "refresh_token":
    case "password":
      return value;
    default:
      return null;
  }
}`,
  (k) => `export function tokenErrorBody${k}(error: string, description?: string): Record<string, string> {
  const body: Record<string, string> = { error };
  if (description !== undefined && description.length > 0) {
    body.error_description = description.replace(/[^\\x20-\\x7e]/g, "?").slice(0, 200);
  }
  return body;
}`,
  (k) => `export function cacheControlHeaders${k}(): [string, string][] {
  return [
    ["cache-control", "no-store"],
    ["pragma", "no-cache"],
  ];
}`,
];

function issuanceModule(rng, k, chains) {
  const files = {
    route: new SourceFile(`src/routes/oauth-${String(k)}.ts`, [`/** OAuth token endpoints, module ${String(k)}. */`]),
    service: new SourceFile(`src/services/token-service-${String(k)}.ts`, [`/** Token issuance use cases, module ${String(k)}. */`]),
    issuer: new SourceFile(`src/services/token-issuer-${String(k)}.ts`, [`/** Prepares access tokens, module ${String(k)}. */`]),
    store: new SourceFile(`src/repositories/token-store-${String(k)}.ts`, [`/** Writes and signs access tokens, module ${String(k)}. */`]),
  };
  for (const chain of chains) {
    const roles = HOP_ROLES[chain.depth];
    const names = roles.map((role) => hopName(chain, role));
    if (chain.guard === "returns-composed") {
      const f = files.service;
      f.use("scope-ceiling", ["withinCeiling", "type GrantedScope"]);
      f.use("models/client-application", ["type ClientApplication"]);
      f.block(`/** The scope this client may have: the request within the client's ceiling (a guard composed of withinCeiling). */
export function grantScope${String(chain.n)}(client: ClientApplication, requested: string): GrantedScope {
  return withinCeiling(requested, { ceiling: client.allowedScopes, onExcess: "narrow" });
}`);
    }
    for (let h = 1; h <= chain.depth; h++) hopFunction(chain, h, files, names);
  }
  // Registration of the module's endpoints.
  const routes = chains.filter((chain) => chain.flavor !== "better-auth").map((chain) => `router.post("/oauth/${String(k)}/token/${String(chain.n)}", ${hopName(chain, "route")});`);
  const endpoints = chains.filter((chain) => chain.flavor === "better-auth").map((chain) => `oauthToken${String(chain.n)}: ${hopName(chain, "route")},`);
  if (routes.length > 0) {
    files.route.use("http/types", ["type Router"]);
    files.route.block(`export function registerOAuthRoutes${String(k)}(router: Router): void {\n${indent(routes.join("\n"))}\n}`);
  }
  if (endpoints.length > 0) files.route.block(`export const betterAuthEndpoints${String(k)} = {\n${indent(endpoints.join("\n"))}\n};`);
  for (const [role, f] of Object.entries(files)) {
    const target = rng.fileLength();
    const helpers = rng.shuffle(OAUTH_HELPERS);
    for (const helper of helpers) {
      if (f.lineCount >= target && f.lineCount >= 50) break;
      const code = helper(`${capitalize(role)}${String(k)}`);
      if (f.lineCount + code.split("\n").length > 300) break;
      f.block(code);
    }
  }
  return Object.values(files);
}

// ---------------------------------------------------------------------------------------------
// The project.

const FIXED_COUNT = FIXED_FILES.length;
const MIN_FILES = FIXED_COUNT + 4 + 4;

function tsconfig() {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ["src"],
    },
    null,
    2,
  )}\n`;
}

const CHECKER_CONFIG = {
  presets: ["default", "better-auth", "jwt"],
  guards: [
    { name: "assertScopesAllowed", from: "./src/security/scopes", kind: "asserts", argument: 1 },
    { name: "isWithinCeiling", from: "./src/security/scopes", kind: "predicate" },
  ],
};

function eslintConfig(ruleOn) {
  const head = `import tsParser from "@typescript-eslint/parser";
import scopeCeiling from "scope-ceiling/eslint-plugin";
`;
  const files = `  { files: ["**/*.ts"], languageOptions: { parser: tsParser } },
  { ...scopeCeiling.configs.recommended, files: ["**/*.ts"] },`;
  if (!ruleOn) {
    return `// ESLint for the benchmark's baseline: the same parser, files and recommended config as eslint.config.js,
// with require-within-ceiling off (no-forged-grant stays on).
${head}
export default [
${files}
  { files: ["**/*.ts"], rules: { "scope-ceiling/require-within-ceiling": "off" } },
];
`;
  }
  return `// ESLint for the benchmark: typescript-eslint's parser and scope-ceiling's recommended config, with the
// checker's options (scope-ceiling.config.json) for require-within-ceiling.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
${head}
const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(readFileSync(resolve(here, "scope-ceiling.config.json"), "utf8"));
// The rule resolves a relative guard \`from\` against ESLint's working directory: anchor it here, so that
// the project lints the same from any directory.
const options = {
  ...config,
  guards: config.guards.map((guard) => (guard.from?.startsWith(".") ? { ...guard, from: resolve(here, guard.from) } : guard)),
};

export default [
${files}
  { files: ["**/*.ts"], rules: { "scope-ceiling/require-within-ceiling": ["error", options] } },
];
`;
}

/**
 * Writes a project of `files` TypeScript files into `out` and returns its manifest:
 * `{ files, seed, lines, issuance: { files, chains, sinks, guards, depths }, planted: [{ file, line, messageId }] }`,
 * with `file` relative to `out`.
 */
export function generate({ files, seed = 1, out } = {}) {
  if (!Number.isInteger(files) || files < MIN_FILES) throw new RangeError(`--files must be an integer of at least ${String(MIN_FILES)}`);
  if (!Number.isInteger(seed)) throw new RangeError("--seed must be an integer");
  const dir = resolve(out ?? join(BENCH_DIR, "projects", String(files)));
  prepareDirectory(dir);
  const rng = new Random(seed);

  const sources = [];
  const modules = Math.max(1, Math.round((files * 0.02) / 4));
  const chains = planIssuance(rng, modules);
  for (let k = 1; k <= modules; k++) {
    sources.push(...issuanceModule(rng, k, chains.filter((chain) => chain.module === k)));
  }
  const issuanceFiles = sources.length;

  // The business domain: entities of 4 files (model, repository, service, routes) plus 1-3 aspect services.
  let remaining = files - FIXED_COUNT - issuanceFiles;
  const plans = [];
  while (remaining >= 4) {
    const aspects = Math.min(rng.int(1, 3), remaining - 4);
    plans.push(aspects);
    remaining -= 4 + aspects;
  }
  for (let i = 0; remaining > 0; i = (i + 1) % plans.length) {
    if ((plans[i] ?? 0) < ASPECTS.length) {
      plans[i] = (plans[i] ?? 0) + 1;
      remaining -= 1;
    }
  }
  const entities = makeEntities(rng, plans.length);
  entities.forEach((e, i) => {
    e.aspects = rng.sample(ASPECTS, plans[i] ?? 0);
  });
  for (const e of entities) {
    const used = new Map();
    sources.push(modelFile(rng, e), repositoryFile(rng, e), mainServiceFile(rng, e, used, entities));
    for (const aspect of e.aspects) sources.push(aspectServiceFile(rng, e, aspect, used, entities));
    sources.push(routesFile(rng, e));
  }

  let lines = 0;
  const planted = [];
  const write = (path, text) => {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  };
  for (const [path, text] of FIXED_FILES) {
    write(path, text);
    lines += text.split("\n").length - 1;
  }
  for (const source of sources) {
    const rendered = source.render();
    write(source.path, rendered.text);
    lines += rendered.lines;
    planted.push(...rendered.planted);
  }
  const written = FIXED_COUNT + sources.length;
  if (written !== files) throw new Error(`internal: wrote ${String(written)} files instead of ${String(files)}`);
  planted.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));

  write("tsconfig.json", tsconfig());
  write("scope-ceiling.config.json", `${JSON.stringify(CHECKER_CONFIG, null, 2)}\n`);
  write("eslint.config.js", eslintConfig(true));
  write("eslint.off.config.js", eslintConfig(false));
  const count = (key) => Object.fromEntries([...new Set(chains.map(key))].sort().map((value) => [value, chains.filter((chain) => key(chain) === value).length]));
  const issuance = {
    files: issuanceFiles,
    chains: chains.length,
    sinks: count((chain) => chain.sink),
    guards: count((chain) => chain.guard ?? `planted:${chain.planted ?? ""}`),
    depths: count((chain) => String(chain.depth)),
  };
  const manifest = { files, seed, lines, issuance, planted };
  write("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Empties a previous project's output; refuses a non-empty directory that is not one. */
function prepareDirectory(dir) {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!entries.includes("manifest.json")) throw new Error(`${dir} is not empty and holds no generated project (no manifest.json): not overwriting it`);
  for (const entry of ["src", "tsconfig.json", "scope-ceiling.config.json", "eslint.config.js", "eslint.off.config.js", "manifest.json"]) {
    rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

function main() {
  const { values } = parseArgs({
    options: { files: { type: "string" }, seed: { type: "string", default: "1" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help || values.files === undefined) {
    process.stdout.write("usage: node bench/generate.js --files N [--seed S] [--out DIR]\n");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const started = performance.now();
  const out = values.out === undefined ? undefined : resolve(values.out);
  const manifest = generate({ files: Number(values.files), seed: Number(values.seed), out });
  const dir = out ?? join(BENCH_DIR, "projects", values.files);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `generated ${String(manifest.files)} files, ${String(manifest.lines)} lines (${String(manifest.issuance.files)} on issuance paths, ${String(manifest.issuance.chains)} chains, ${String(manifest.planted.length)} planted) into ${dir} in ${String(ms)} ms (seed ${String(manifest.seed)})\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`generate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
