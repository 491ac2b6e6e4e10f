/** Starts the service: opens (creates, migrates) the database and listens on a loopback port. */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.js";
import { DEFAULT_LIFETIMES, type Lifetimes } from "./issuance.js";
import { openStore, systemClock, type Clock, type NewApplication, type Store } from "./store.js";

/** Only ever the loopback interface: this is an example, not a deployment. */
export const HOST = "127.0.0.1";

/** Seeded on start by `npm run example`, so that the README's curl lines work as written. */
export const DEMO_APPLICATION: NewApplication = {
  id: "demo-app",
  name: "Demo reporting app",
  secret: "demo-secret",
  redirectUri: "https://demo-app.example/callback",
  allowedScopes: "reports:read reports:write users:read",
};

export interface ServiceOptions {
  /** A file, or `":memory:"` (the default). */
  readonly databasePath?: string | undefined;
  /** 0 (the default) lets the system choose a free port. */
  readonly port?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly lifetimes?: Lifetimes | undefined;
  /** The resource owner who consents at `/authorize` (there is no login in this example). */
  readonly userId?: string | undefined;
  /** Registers `DEMO_APPLICATION` unless it exists. */
  readonly seedDemo?: boolean | undefined;
  readonly onInternalError?: ((error: unknown) => void) | undefined;
}

export interface Service {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  /** Stops listening, drops open connections and closes the database. */
  close(): Promise<void>;
}

export function seedDemoApplication(store: Store): void {
  if (store.applications.find(DEMO_APPLICATION.id) === undefined) store.applications.register(DEMO_APPLICATION);
}

export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const clock = options.clock ?? systemClock;
  const store = openStore(options.databasePath ?? ":memory:", clock);
  try {
    if (options.seedDemo === true) seedDemoApplication(store);
    const app = createApp({
      store,
      clock,
      lifetimes: options.lifetimes ?? DEFAULT_LIFETIMES,
      userId: options.userId ?? "demo-user",
      onInternalError: options.onInternalError,
    });
    const server = createServer(app);
    server.listen(options.port ?? 0, HOST);
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${HOST}:${String(port)}`,
      port,
      store,
      async close() {
        const closed = once(server, "close");
        server.close();
        server.closeAllConnections();
        await closed;
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
