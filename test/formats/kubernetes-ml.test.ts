/**
 * Kubernetes manifests that run ML, reviewed with rules/kubernetes-ml.yaml: only files with an ML
 * workload (KServe, Kubeflow training, KubeRay, Seldon, or a plain workload that requests GPUs)
 * are artifacts, and each rule reports on the line of what it is about.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';
import { fixture, lineOf } from './_pipeline-helpers.js';

await createEngine();
const review = await reviewer();

const CONTEXT = { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false };

function reviewOf(path: string, text: string) {
  return review(changeSetOf([{ path, status: 'added', base: null, head: text }], CONTEXT));
}

/** `rule@line` of every finding, sorted. */
function findings(path: string, text: string): string[] {
  return reviewOf(path, text)
    .findings.map((f) => `${f.rule}@${f.startLine}`)
    .sort();
}

const NOT_ML = /^kubernetes: no ML workload \(/;

describe('which Kubernetes files are ML artifacts', () => {
  const deployment = (resources: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
spec:
  template:
    spec:
      containers:
        - name: scorer
          image: ghcr.io/acme/scorer:1.2.0
          resources:
${resources}
`;

  it('are not files of plain manifests: a ConfigMap, a web Deployment, a Service', () => {
    const files = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n',
      deployment('            limits: {cpu: "1", memory: 1Gi}'),
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n',
    ];
    for (const text of files) {
      const c = classify('deploy/app.yaml', text);
      expect(c.type).toBe('none');
      if (c.type === 'none') expect(c.reason).toMatch(NOT_ML);
      const r = reviewOf('deploy/app.yaml', text);
      expect(r.findings).toEqual([]);
      expect(r.stats.byKind).toEqual({});
    }
  });

  it('are not a custom resource that only shares an ML kind name', () => {
    const c = classify('deploy/isvc.yaml', 'apiVersion: example.com/v1\nkind: InferenceService\nmetadata:\n  name: x\n');
    expect(c.type === 'none' && c.reason).toMatch(NOT_ML);
  });

  it('are plain workloads that request accelerators, at any pod-template depth', () => {
    const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-embed
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: embed
              image: ghcr.io/acme/embed:0.9.1
              resources:
                limits: {aws.amazon.com/neuron: 1, cpu: "4", memory: 16Gi}
`;
    for (const [path, text] of [
      ['deploy/vllm.yaml', deployment('            limits: {nvidia.com/gpu: 1, cpu: "8", memory: 32Gi}')],
      ['jobs/nightly-embed.yaml', cronJob],
    ] as const) {
      const c = classify(path, text);
      expect(c.type === 'document' && c.document.kind).toBe('kubernetes');
      expect(findings(path, text)).toEqual([]);
    }
    const latest = cronJob.replace('embed:0.9.1', 'embed:latest');
    expect(findings('jobs/nightly-embed.yaml', latest)).toEqual([`kubernetes-ml-image-pinned@${lineOf(latest, 'image:')}`]);
  });

  it('hold their plain workloads without accelerators to no ML rule', () => {
    // The fixture's Deployment runs feature-server:latest without a GPU, next to an InferenceService.
    const text = fixture('k8s-serving.yaml');
    expect(classify('deploy/k8s/serving.yaml', text).type).toBe('document');
    expect(findings('deploy/k8s/serving.yaml', text)).toEqual([]);
  });

  it('are files with an ML kind, every manifest of them a target (List items too)', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata: {name: bert}
    spec: {}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: bert-config}
`;
    const c = classify('train/bert.yaml', text);
    if (c.type !== 'document') throw new Error(JSON.stringify(c));
    expect(c.document.targets.map((t) => t.address)).toEqual(['PyTorchJob/bert', 'ConfigMap/bert-config']);
  });

  it('still report YAML errors in files that would not be artifacts', () => {
    const c = classify('deploy/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   labels: {}\n');
    expect(c.type === 'error' && c.error.line).toBe(4);
    // A broken document among others: it may have been the ML one, so the file is not passed over.
    const stream = classify('deploy/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: b\n   labels: {}\n');
    expect(stream.type === 'error' && stream.error.line).toBe(9);
  });
});

describe('kubernetes-ml-image-pinned', () => {
  const text = `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: credit
spec:
  predictor:
    containers:
      - name: kserve-container
        image: ghcr.io/acme/credit-server:2.3.1
        resources:
          limits: {cpu: "1", memory: 2Gi}
  explainer:
    containers:
      - name: explainer
        image: ghcr.io/acme/credit-explainer:latest
        imagePullPolicy: Always
        resources:
          limits: {cpu: "1", memory: 2Gi}
`;

  it('reports a :latest image once, on its line (not again for imagePullPolicy: Always)', () => {
    expect(findings('deploy/credit.yaml', text)).toEqual([`kubernetes-ml-image-pinned@${lineOf(text, 'credit-explainer:latest')}`]);
  });

  it('reports an untagged image of a GPU Deployment; passes a digest, a version and a placeholder', () => {
    const gpu = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: ${image}
          resources:
            limits: {nvidia.com/gpu: 1, cpu: "8", memory: 32Gi}
`;
    expect(findings('deploy/vllm.yaml', gpu('vllm/vllm-openai'))).toEqual(['kubernetes-ml-image-pinned@10']);
    expect(findings('deploy/vllm.yaml', gpu('localhost:5000/vllm'))).toEqual(['kubernetes-ml-image-pinned@10']);
    for (const image of ['vllm/vllm-openai:v0.6.3', `vllm/vllm-openai@sha256:${'a1'.repeat(32)}`, '"${VLLM_IMAGE}"', '$(IMAGE)']) {
      expect(findings('deploy/vllm.yaml', gpu(image)), image).toEqual([]);
    }
  });
});

describe('kubernetes-ml-container-resources and kubernetes-gpu-container-cpu-memory', () => {
  const text = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: bert
spec:
  runPolicy:
    activeDeadlineSeconds: 28800
    backoffLimit: 2
    cleanPodPolicy: Running
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: ghcr.io/acme/bert-train:3.1.0
              resources:
                limits: {nvidia.com/gpu: 1}
            - name: metrics
              image: ghcr.io/acme/metrics-sidecar:1.0.0
`;

  it('reports the GPU container to the GPU rule and the CPU sidecar to the general one, each on its item', () => {
    expect(findings('train/bert.yaml', text)).toEqual([
      `kubernetes-gpu-container-cpu-memory@${lineOf(text, '- name: pytorch')}`,
      `kubernetes-ml-container-resources@${lineOf(text, '- name: metrics')}`,
    ]);
  });

  it('accept a CPU request or limit with a memory limit; a memory request alone is not a bound', () => {
    const sized = text
      .replace('limits: {nvidia.com/gpu: 1}', 'requests: {cpu: "8"}\n                limits: {nvidia.com/gpu: 1, memory: 60Gi}')
      .replace('image: ghcr.io/acme/metrics-sidecar:1.0.0', 'image: ghcr.io/acme/metrics-sidecar:1.0.0\n              resources: {limits: {cpu: 100m, memory: 128Mi}}');
    expect(findings('train/bert.yaml', sized)).toEqual([]);
    const requestOnly = sized.replace('limits: {cpu: 100m, memory: 128Mi}', 'requests: {cpu: 100m, memory: 128Mi}');
    expect(findings('train/bert.yaml', requestOnly)).toEqual([`kubernetes-ml-container-resources@${lineOf(requestOnly, '- name: metrics')}`]);
  });

  it('read a KServe predictor model spec as its container', () => {
    const isvc = `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: llm
spec:
  predictor:
    model:
      modelFormat: {name: huggingface}
      storageUri: s3://acme-models/llm/v4
      resources:
        limits: {nvidia.com/gpu: "1"}
`;
    expect(findings('deploy/llm.yaml', isvc)).toEqual([`kubernetes-gpu-container-cpu-memory@${lineOf(isvc, 'model:')}`]);
  });
});

describe('kserve-predictor-min-replicas', () => {
  const isvc = (extra: string) => `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn
spec:
  predictor:${extra}
    model:
      modelFormat: {name: xgboost}
      storageUri: s3://acme-models/churn/v3
      resources:
        limits: {cpu: "2", memory: 4Gi}
`;

  it('reports an explicit scale-to-zero on its line; the default (1) and 1 or more pass', () => {
    const zero = isvc('\n    minReplicas: 0');
    expect(findings('deploy/churn.yaml', zero)).toEqual([`kserve-predictor-min-replicas@${lineOf(zero, 'minReplicas')}`]);
    expect(findings('deploy/churn.yaml', isvc(''))).toEqual([]);
    expect(findings('deploy/churn.yaml', isvc('\n    minReplicas: 2'))).toEqual([]);
  });
});

describe('kubernetes-ml-logger-tls', () => {
  const isvc = (url: string) => `apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: credit
spec:
  transformer:
    logger:
      mode: all
      url: ${url}
    containers:
      - name: features
        image: ghcr.io/acme/credit-features:1.0.0
        resources:
          limits: {cpu: "1", memory: 1Gi}
  predictor:
    model:
      modelFormat: {name: sklearn}
      storageUri: s3://acme-models/credit/v2
      resources:
        limits: {cpu: "1", memory: 2Gi}
`;

  it('reports a plain-HTTP logger URL on its line; HTTPS passes', () => {
    const text = isvc('HTTP://payload-logger.monitoring/');
    expect(findings('deploy/credit.yaml', text)).toEqual([`kubernetes-ml-logger-tls@${lineOf(text, 'url:')}`]);
    expect(findings('deploy/credit.yaml', isvc('https://payload-logger.monitoring/'))).toEqual([]);
  });
});

describe('kubernetes-ml-job-limits and kubeflow-training-job-cleanup', () => {
  const job = (runPolicy: string) => `apiVersion: kubeflow.org/v1
kind: XGBoostJob
metadata:
  name: churn
spec:${runPolicy}
  xgbReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: xgboost
              image: ghcr.io/acme/churn-xgb:1.7.6
              resources:
                limits: {cpu: "4", memory: 8Gi}
`;

  it('report a job without runPolicy on its spec line', () => {
    const text = job('');
    expect(findings('train/churn.yaml', text)).toEqual([`kubeflow-training-job-cleanup@${lineOf(text, 'spec:')}`, `kubernetes-ml-job-limits@${lineOf(text, 'spec:')}`]);
  });

  it('report a missing setting on the runPolicy line, and pass a complete policy', () => {
    const partial = job('\n  runPolicy:\n    activeDeadlineSeconds: 7200\n    ttlSecondsAfterFinished: 86400');
    expect(findings('train/churn.yaml', partial)).toEqual([`kubernetes-ml-job-limits@${lineOf(partial, 'runPolicy:')}`]);
    expect(findings('train/churn.yaml', job('\n  runPolicy:\n    activeDeadlineSeconds: 7200\n    backoffLimit: 0\n    cleanPodPolicy: All'))).toEqual([]);
  });

  it('take a TFJob to clean up its running pods by default', () => {
    const tf = job('\n  runPolicy:\n    activeDeadlineSeconds: 7200\n    backoffLimit: 1').replace('kind: XGBoostJob', 'kind: TFJob').replace('xgbReplicaSpecs', 'tfReplicaSpecs');
    expect(findings('train/churn.yaml', tf)).toEqual([]);
    const none = tf.replace('backoffLimit: 1', 'backoffLimit: 1\n    cleanPodPolicy: None');
    expect(findings('train/churn.yaml', none)).toEqual([`kubeflow-training-job-cleanup@${lineOf(none, 'cleanPodPolicy')}`]);
  });
});

describe('kuberay-rayjob-shutdown, kuberay-runtime-env-pinned and the RayJob deadline', () => {
  const rayJob = (settings: string, workingDir: string) => `apiVersion: ray.io/v1
kind: RayJob
metadata:
  name: mnist
spec:
  entrypoint: python train.py${settings}
  runtimeEnvYAML: |
    pip:
      - torch==2.5.1
    working_dir: "${workingDir}"
`;
  const PINNED = 'https://github.com/acme/mnist/archive/5f2c9d1e8b7a6c3d4e5f60718293a4b5c6d7e8f9.zip';

  it('report a RayJob that keeps its cluster, has no deadline and runs a branch archive', () => {
    const text = rayJob('', 'https://github.com/acme/mnist/archive/refs/heads/main.tar.gz');
    const spec = lineOf(text, 'spec:');
    expect(findings('ray/mnist.yaml', text)).toEqual([`kuberay-rayjob-shutdown@${spec}`, `kuberay-runtime-env-pinned@${lineOf(text, 'runtimeEnvYAML')}`, `kubernetes-ml-job-limits@${spec}`]);
  });

  it('pass a RayJob that shuts its cluster down, has a deadline and pins its code; a ttl alone is not a shutdown', () => {
    expect(findings('ray/mnist.yaml', rayJob('\n  shutdownAfterJobFinishes: true\n  activeDeadlineSeconds: 3600', PINNED))).toEqual([]);
    const ttlOnly = rayJob('\n  ttlSecondsAfterFinished: 600\n  activeDeadlineSeconds: 3600', PINNED);
    expect(findings('ray/mnist.yaml', ttlOnly)).toEqual([`kuberay-rayjob-shutdown@${lineOf(ttlOnly, 'spec:')}`]);
    expect(findings('ray/mnist.yaml', rayJob('\n  activeDeadlineSeconds: 3600\n  clusterSelector:\n    ray.io/cluster: shared', PINNED))).toEqual([]);
  });

  it('recognise GitHub and GitLab branch archives, not tags or commits', () => {
    const ok = '\n  shutdownAfterJobFinishes: true\n  activeDeadlineSeconds: 3600';
    const at = (url: string) => findings('ray/mnist.yaml', rayJob(ok, url));
    const line = lineOf(rayJob(ok, PINNED), 'runtimeEnvYAML');
    for (const url of ['https://github.com/acme/mnist/archive/master.zip', 'https://github.com/acme/mnist/zipball/main', 'https://gitlab.com/acme/mnist/-/archive/main/mnist-main.zip']) {
      expect(at(url), url).toEqual([`kuberay-runtime-env-pinned@${line}`]);
    }
    for (const url of [PINNED, 'https://github.com/acme/mnist/archive/refs/tags/v1.2.0.zip', 'https://github.com/acme/mainframe/archive/v2.zip']) {
      expect(at(url), url).toEqual([]);
    }
  });
});

/**
 * The three Kubernetes ML files of the shared corpus (../shared/corpus/code/SOURCES.md, section
 * "k8s-ml/", entries 36-38), read where they are: every finding is one the observations name, and
 * nothing fires on what they note as done right.
 */
const K8S_ML = new URL('../../../shared/corpus/code/k8s-ml/', import.meta.url);

describe.skipIf(!existsSync(K8S_ML))('the corpus k8s-ml files', () => {
  const corpus = (name: string) => findings(`k8s/${name}`, readFileSync(new URL(name, K8S_ML), 'utf8'));

  it('36. KServe InferenceService with a bias explainer', () => {
    expect(corpus('kserve__explanation-aif-germancredit__bias.yaml')).toEqual([
      // 36.1: the explainer's aipipeline/aifserver:latest (with imagePullPolicy: Always, line 57,
      // not reported again). The predictor's `:predictor` tag counts as a version, as in every image
      // rule of the catalogue.
      'kubernetes-ml-image-pinned@26',
      // 36.2: `logger` sends every request and response to http://message-dumper.default/.
      'kubernetes-ml-logger-tls@22',
      // 36.4 (positive): CPU/memory requests and limits on both containers, so no sizing finding.
      // 36.3: no minReplicas means KServe's default of 1, not scale-to-zero: no finding.
    ]);
  });

  it('37. Training Operator PyTorchJob (DeepSpeed demo)', () => {
    expect(corpus('training-operator__pytorch_deepspeed_demo.yaml')).toEqual([
      // 37.3: no runPolicy: pods are not cleaned up (cleanPodPolicy None by default, no TTL), on `spec:`.
      'kubeflow-training-job-cleanup@5',
      // 37.4: only nvidia.com/gpu limits, no CPU or memory (the Master's container, the first one).
      'kubernetes-gpu-container-cpu-memory@13',
      // 37.2: kubeflow/pytorch-deepspeed-demo:latest (the Master's image, the first one).
      'kubernetes-ml-image-pinned@14',
      // 37.3: no runPolicy: no activeDeadlineSeconds nor backoffLimit, on `spec:`.
      'kubernetes-ml-job-limits@5',
    ]);
  });

  it('38. KubeRay RayJob (PyTorch MNIST)', () => {
    expect(corpus('kuberay__ray-job.pytorch-mnist.yaml')).toEqual([
      // 38.1: shutdownAfterJobFinishes: false keeps the RayCluster running after training.
      'kuberay-rayjob-shutdown@6',
      // 38.2: working_dir https://github.com/ray-project/kuberay/archive/master.zip (line 12),
      // reported on the runtimeEnvYAML key that holds it.
      'kuberay-runtime-env-pinned@8',
      // 38.1: no activeDeadlineSeconds either.
      'kubernetes-ml-job-limits@5',
      // 38.3 (positive): images pinned to 2.52.0 and CPU/memory set on head and workers: no finding.
    ]);
  });
});

describe('what the pinned-image rule reads', () => {
  it('container images only: an image volume (a map with a reference) is no container image', () => {
    const job = `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: train
spec:
  runPolicy:
    backoffLimit: 3
    activeDeadlineSeconds: 7200
    cleanPodPolicy: Running
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: registry.example.com/train:1.4.2
              resources:
                requests: { cpu: "2", memory: 8Gi }
                limits: { cpu: "2", memory: 8Gi }
          volumes:
            - name: weights
              image:
                reference: registry.example.com/weights@sha256:0000000000000000000000000000000000000000000000000000000000000000
`;
    expect(findings('train/job.yaml', job).filter((f) => f.startsWith('kubernetes-ml-image-pinned'))).toEqual([]);
    expect(findings('train/job.yaml', job.replace('train:1.4.2', 'train:latest')).filter((f) => f.startsWith('kubernetes-ml-image-pinned'))).toEqual(['kubernetes-ml-image-pinned@17']);
  });
});

describe('seldon-predictor-replicas', () => {
  const seldon = (predictors: string, top = '') => `apiVersion: machinelearning.seldon.io/v1
kind: SeldonDeployment
metadata:
  name: income
spec:${top}
  predictors:
${predictors}`;
  const predictor = (name: string, extra: string) => `    - name: ${name}
${extra}      graph:
        name: classifier
        implementation: SKLEARN_SERVER
        modelUri: gs://acme-models/income/v4
`;

  it('reports a predictor that takes the traffic on one replica, on the predictor', () => {
    const text = seldon(predictor('main', '      traffic: 80\n') + predictor('canary', '      traffic: 20\n'));
    const r = reviewOf('deploy/income.yaml', text).findings.filter((f) => f.rule === 'seldon-predictor-replicas');
    expect(r.map((f) => f.startLine)).toEqual([lineOf(text, '- name: main')]);
    expect(r[0]!.message).toMatch(/one replica/);
  });

  it('passes with replicas on the predictor, on the deployment, or an autoscaler minimum of two', () => {
    const rule = (t: string) => findings('deploy/income.yaml', t).filter((f) => f.startsWith('seldon-predictor-replicas'));
    expect(rule(seldon(predictor('main', '      replicas: 3\n')))).toEqual([]);
    expect(rule(seldon(predictor('main', ''), '\n  replicas: 2'))).toEqual([]);
    expect(rule(seldon(predictor('main', '      componentSpecs:\n        - hpaSpec: {minReplicas: 2, maxReplicas: 4}\n')))).toEqual([]);
    expect(rule(seldon(predictor('main', '      componentSpecs:\n        - hpaSpec: {minReplicas: 1, maxReplicas: 4}\n')))).toHaveLength(1);
    // A shadow takes no traffic of its own.
    expect(rule(seldon(predictor('main', '      replicas: 2\n') + predictor('shadow', '      shadow: true\n')))).toEqual([]);
  });
});
