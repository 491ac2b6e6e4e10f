import { readFileSync } from "node:fs";
import type { Project, SourceFile } from "ts-morph";

/**
 * The files of the tsconfig, read lazily. Texts are read from disk (cheap) so that files can be
 * filtered by the words they must contain; only files that pass are parsed, together with what
 * they import. Declaration files (ambient modules, globals) are always part of the program.
 */
export class ProgramFiles {
  /** The program's source files (not declaration files, not node_modules), absolute paths. */
  readonly paths: readonly string[];
  readonly #project: Project;
  readonly #texts = new Map<string, string>();

  constructor(project: Project, fileNames: readonly string[]) {
    this.#project = project;
    const isDeclaration = (path: string) => /\.d\.[cm]?ts$/.test(path);
    this.paths = fileNames.filter((path) => !isDeclaration(path) && !path.includes("/node_modules/"));
    const declarations = fileNames.filter((path) => isDeclaration(path) && !path.includes("/node_modules/"));
    if (declarations.length > 0) project.addSourceFilesAtPaths(declarations);
  }

  text(path: string): string {
    let text = this.#texts.get(path);
    if (text === undefined) {
      text = this.#project.getSourceFile(path)?.getFullText() ?? readFileSync(path, "utf8");
      this.#texts.set(path, text);
    }
    return text;
  }

  /** Parses these files (and what they import) into the program, in one go. */
  load(paths: readonly string[]): void {
    const missing = paths.filter((path) => !this.#project.getSourceFile(path));
    if (missing.length === 0) return;
    for (const path of missing) this.#project.addSourceFileAtPath(path);
    this.#project.resolveSourceFileDependencies();
  }

  sourceFile(path: string): SourceFile | undefined {
    this.load([path]);
    return this.#project.getSourceFile(path);
  }
}
