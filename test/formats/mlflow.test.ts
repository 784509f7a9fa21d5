import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../src/model.js';
import { mlflowProject } from '../../src/formats/mlflow.js';
import { dig, str } from '../../src/formats/tree.js';

const PROJECT = readFileSync(new URL('../fixtures/formats/MLproject', import.meta.url), 'utf8');

describe('mlflow-project', () => {
  it('detects a file named exactly MLproject, in any folder', () => {
    expect(mlflowProject.detect('MLproject', PROJECT)).toBe(true);
    expect(mlflowProject.detect('examples/wine/MLproject', PROJECT)).toBe(true);
    expect(mlflowProject.detect('mlproject', PROJECT)).toBe(false);
    expect(mlflowProject.detect('MLproject.yaml', PROJECT)).toBe(false);
    expect(mlflowProject.detect('examples/NotMLproject', PROJECT)).toBe(false);
  });

  it('targets entry points at their key lines', () => {
    const doc = mlflowProject.parse('MLproject', PROJECT) as Document;
    expect(doc.kind).toBe('mlflow-project');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine, t.endLine])).toEqual([
      ['entry_point', 'entry_points.main', 8, 12],
      ['entry_point', 'entry_points.evaluate', 14, 17],
    ]);
    expect(str(dig(doc.root, 'docker_env', 'image'))).toMatch(/churn-train:1\.4\.2$/);
    expect(dig(doc.targets[0]!.node, 'parameters', 'data_path', 'type')?.startLine).toBe(11);
  });

  it('accepts a project with a name and no entry points yet', () => {
    expect((mlflowProject.parse('MLproject', 'name: sketch\n') as Document).targets).toEqual([]);
  });

  it('is not an artifact without name or entry_points', () => {
    expect(mlflowProject.parse('MLproject', 'conda_env: conda.yaml\n')).toHaveProperty('notArtifact');
    expect(mlflowProject.parse('MLproject', 'just some notes\n')).toHaveProperty('notArtifact');
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    const text = 'name: x\nentry_points:\n  main:\n    command: python train.py\n   parameters: {}\n';
    expect(mlflowProject.parse('MLproject', text)).toMatchObject({ kind: 'mlflow-project', path: 'MLproject', line: 5 });
  });
});
