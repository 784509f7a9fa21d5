/**
 * A notebook's code as the Python readers read it: code cells in order, magics and shell lines
 * blanked with their continuation lines, cells whose cell magic is not Python blanked whole, every
 * line mapped to the notebook line that holds it.
 */
import { describe, expect, it } from 'vitest';
import { notebookCode } from '../../src/formats/python/notebook.js';

const notebook = (cells: string[][]) =>
  JSON.stringify({ cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null })), metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);

describe('notebook code', () => {
  it('blanks a shell or magic line and the lines its trailing backslash continues onto', () => {
    const text = notebook([['%pip install --upgrade \\\n', '    google-cloud-aiplatform \\\n', '    tensorflow\n', 'import os\n', '!ls \\\n', '  -la\n', 'x = 1']]);
    const nb = notebookCode(text);
    expect(nb.code.split('\n')).toEqual(['', '', '', 'import os', '', '', 'x = 1', '']);
    expect(nb.fileLine(4)).toBe(text.split('\n').findIndex((l) => l.includes('import os')) + 1);
  });

  it('blanks a cell whose cell magic is not Python, and keeps the body of one that runs Python', () => {
    const text = notebook([
      ['%%writefile task.py\n', 'model = build()\n', 'model.fit()'],
      ['%%time\n', 'model = load()'],
      ['  %%bash\n', 'echo "model = 1"'],
    ]);
    expect(notebookCode(text).code.split('\n')).toEqual(['', '', '', '', '', 'model = load()', '', '', '', '']);
  });

  it('a backslash inside Python code is left alone', () => {
    const text = notebook([['total = 1 + \\\n', '    2\n']]);
    expect(notebookCode(text).code.split('\n')).toEqual(['total = 1 + \\', '    2', '']);
  });
});
