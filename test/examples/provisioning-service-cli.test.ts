/**
 * `npm run example` without npm: the example compiled as that script compiles it, run under plain node
 * (so "scope-ceiling" resolves through the package's self-reference to the built entry), on a database
 * file, driven by the curl lines of its README exactly as written there except for the port.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const main = join(root, "dist/examples/provisioning-service/src/main.js");
const readme = readFileSync(join(root, "examples/provisioning-service/README.md"), "utf8");
const folder = mkdtempSync(join(tmpdir(), "provisioning-service-cli-"));
const databasePath = join(folder, "service.sqlite");

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

/** Starts the compiled service and waits for the line that names its URL. */
async function start(environment: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [main], { cwd: root, env: { ...process.env, ...environment }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => {
      reject(new Error(`the service exited (${String(code)}) before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function stop({ child }: Running): Promise<number | null> {
  const exited = once(child, "exit") as Promise<[number | null]>;
  child.kill("SIGTERM");
  const [code] = await exited;
  return code;
}

/** A fenced block of the README: the one whose first line starts with `firstLine`. */
function readmeBlock(language: string, firstLine: string): string {
  const blocks = [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)];
  const block = blocks.find(([, lang, body]) => lang === language && body?.startsWith(firstLine) === true)?.[2];
  if (block === undefined) throw new Error(`no ${language} block starting with ${firstLine} in the README`);
  return block;
}

/** Tokens and codes differ on every run: keep their names, drop their values. */
function withoutSecrets(text: string): string {
  return text.replace(/(code=|"access_token":"|"refresh_token":")[\w.-]+/g, "$1…");
}

beforeAll(() => {
  // What `npm run example` does after `npm run build` (which `npm test` has run).
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "examples/provisioning-service/tsconfig.build.json"], { cwd: root, stdio: "pipe" });
}, 60_000);
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe("the example under plain node", () => {
  it("prints its loopback URL and how to try it; the README's curl lines print what the README says", async () => {
    const service = await start({ PORT: "0", DATABASE_PATH: databasePath });
    let transcript: string;
    try {
      expect(service.output()).toContain("client_id=demo-app client_secret=demo-secret");
      expect(service.output()).toContain(`base=${service.url}`);
      const script = readmeBlock("sh", "base=http://127.0.0.1:8787\n").replace("base=http://127.0.0.1:8787", `base=${service.url}`);
      transcript = execFileSync("bash", ["-c", `set -euo pipefail\n${script}`], { encoding: "utf8", timeout: 20_000 });
    } finally {
      expect(await stop(service)).toBe(0);
    }
    const documented = readmeBlock("text", "https://demo-app.example/callback?code=");
    expect(withoutSecrets(transcript)).toBe(withoutSecrets(documented));

    // The database file holds what the walk-through did: one code, and two of each token, one of them rotated.
    const database = new Database(databasePath, { readonly: true });
    try {
      const count = (table: string): unknown => database.prepare(`SELECT count(*) AS n FROM ${table}`).get();
      expect(count("applications")).toEqual({ n: 1 });
      expect(count("authorization_codes WHERE used_at IS NOT NULL")).toEqual({ n: 1 });
      expect(count("authorization_codes")).toEqual({ n: 1 });
      expect(count("access_tokens")).toEqual({ n: 2 });
      expect(count("refresh_tokens WHERE revoked_at IS NULL")).toEqual({ n: 1 });
      expect(count("refresh_tokens")).toEqual({ n: 2 });
      expect(database.prepare("SELECT scope FROM access_tokens ORDER BY id").pluck().all()).toEqual(["reports:read reports:write", "reports:read"]);
    } finally {
      database.close();
    }
  });

  it("starts again on the same database file: the schema is not migrated twice and the demo application not seeded twice", async () => {
    const service = await start({ DATABASE_PATH: databasePath });
    try {
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const answer = await fetch(`${service.url}/authorize?response_type=code&client_id=demo-app&scope=users:read`, { redirect: "manual" });
      expect(answer.headers.get("location")).toMatch(/^https:\/\/demo-app\.example\/callback\?code=/);
    } finally {
      expect(await stop(service)).toBe(0);
    }
    const database = new Database(databasePath, { readonly: true });
    try {
      expect(database.pragma("user_version", { simple: true })).toBe(1);
      expect(database.prepare("SELECT count(*) FROM applications").pluck().get()).toBe(1);
    } finally {
      database.close();
    }
  });

  it("refuses a PORT that is not a port", () => {
    let status: number | null = null;
    try {
      execFileSync(process.execPath, [main], { cwd: root, env: { ...process.env, PORT: "eighty" }, stdio: "pipe" });
    } catch (error) {
      status = (error as { status: number | null }).status;
    }
    expect(status).toBe(2);
  });
});
