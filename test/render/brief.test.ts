/** A finding's brief: what is wrong, without why it matters. */
import { describe, expect, it } from 'vitest';
import { brief } from '../../src/render/view.js';

describe('brief', () => {
  it('cuts at the first colon outside brackets, keeping (attribute: value)', () => {
    expect(brief('aws_s3_bucket.data does not default to a customer-managed KMS key (kms_master_key_id: absent): objects get SSE-S3.')).toBe(
      'aws_s3_bucket.data does not default to a customer-managed KMS key (kms_master_key_id: absent)',
    );
  });

  it('cuts at the end of the first sentence; a dot inside a word or number is no end', () => {
    expect(brief('Training step TrainModel uses python 3.8 via sagemaker.Estimator. It is end of life.')).toBe('Training step TrainModel uses python 3.8 via sagemaker.Estimator');
  });

  it('does not cut a statement shorter than 20 characters to its first word', () => {
    expect(brief('line 7: bad indentation of a mapping entry')).toBe('line 7: bad indentation of a mapping entry');
  });

  it('a long statement is cut on a word boundary at 200 characters, marked with an ellipsis', () => {
    const out = brief(`${'word '.repeat(80)}end`);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out.endsWith('word…')).toBe(true);
  });

  it('whitespace and line breaks collapse', () => {
    expect(brief('  a message\nover   two lines  ')).toBe('a message over two lines');
  });
});
