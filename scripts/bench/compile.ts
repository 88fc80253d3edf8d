/*
 * Transpiles the project (src, workflows, activities) and these bench entry files to plain
 * CommonJS for the child processes. Running children under tsx would add ~50 MB of RSS
 * (esbuild and the loader) that `node dist/src/main.js` in production does not have, and RSS is
 * one of the targets. transpileModule does no type checking (the project's isolatedModules
 * setting makes that safe), so it takes a second and tolerates work in progress elsewhere.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const SOURCE_DIRS = ['src', 'workflows', 'activities', 'scripts/bench'];

function tsFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * Writes the JS tree under node_modules/.cache (inside the project, so bare imports resolve
 * to the project's node_modules for node and for the worker's workflow bundler alike).
 * Returns the output root; remove it with removeCompiled.
 */
export function compileForChildren(projectRoot: string): string {
  const outRoot = join(projectRoot, 'node_modules', '.cache', 'ringg-bench', String(process.pid));
  rmSync(outRoot, { recursive: true, force: true });
  const compilerOptions: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    isolatedModules: true,
    sourceMap: false,
  };
  for (const dir of SOURCE_DIRS) {
    for (const file of tsFiles(join(projectRoot, dir))) {
      const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file });
      const target = join(outRoot, relative(projectRoot, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, output.outputText);
    }
  }
  return outRoot;
}

export function removeCompiled(outRoot: string): void {
  rmSync(outRoot, { recursive: true, force: true });
}
