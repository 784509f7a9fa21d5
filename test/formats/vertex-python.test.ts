/**
 * The Vertex AI SDK read from Python and notebooks, statically: each job, pipeline job, endpoint
 * and deployment as the REST resource the SDK sends, `aiplatform.init` as the fallback for what a
 * call omits, and what cannot be known left unknown. Findings of rules/vertex.yaml land on the
 * lines where the argument is (or would be) written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

function read(text: string, path = 'training/train.py'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}

/** The node at a dotted path of a target's resource (`[0]` for a list's first item). */
function at(doc: Document, address: string, path: string): Node | undefined {
  const t = doc.targets.find((x) => x.address === address);
  if (!t) throw new Error(`no target ${address} among ${doc.targets.map((x) => x.address).join(', ')}`);
  let n: Node | undefined = t.node;
  for (const seg of path.split('.')) {
    const m = /^(.+)\[(\d+)\]$/.exec(seg);
    n = n?.type === 'map' ? n.entries.find((e) => e.key === (m ? m[1] : seg))?.value : undefined;
    if (m) n = n?.type === 'list' ? n.items[Number(m[2])] : undefined;
  }
  return n;
}

/** `rule@line` of the findings of rules/vertex.yaml, sorted. */
function findings(text: string, path = 'training/train.py', over: Parameters<typeof changeSetOf>[1] = {}): string[] {
  const r = review(changeSetOf([{ path, status: 'added', head: text } as never], over));
  return r.findings
    .filter((f) => f.rule.startsWith('vertex-'))
    .map((f) => `${f.rule}@${f.startLine}`)
    .sort();
}

const TRAINING = `from google.cloud import aiplatform

IMAGE = "europe-docker.pkg.dev/acme-ml/ml/trainer:1.4.2"

def train(sa):
    job = aiplatform.CustomContainerTrainingJob(
        display_name="churn",
        container_uri=IMAGE,
        model_serving_container_image_uri="europe-docker.pkg.dev/acme-ml/ml/server:latest",
    )
    model = job.run(
        replica_count=3,
        machine_type="n1-standard-8",
        accelerator_type="NVIDIA_TESLA_T4",
        accelerator_count=1,
        service_account=sa,
        enable_web_access=True,
    )
    model.deploy(machine_type="n1-standard-4")
`;

describe('reading Vertex AI jobs and deployments', () => {
  it('a training job and its run are one TrainingPipeline, its deploy a DeployedModel and the Endpoint it creates', () => {
    const doc = read(TRAINING);
    expect(doc.kind).toBe('kfp-vertex-python');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['TrainingPipeline', 'train.CustomContainerTrainingJob', 6],
      ['DeployedModel', 'train.deploy', 19],
      ['Endpoint', 'train.deploy.Endpoint', 19],
    ]);
    const a = 'train.CustomContainerTrainingJob';
    // replica_count=3: a chief pool of one replica and a worker pool of two, as the SDK builds them.
    expect(at(doc, a, 'trainingTaskInputs.workerPoolSpecs[0].replicaCount')).toMatchObject({ value: 1 });
    expect(at(doc, a, 'trainingTaskInputs.workerPoolSpecs[1].replicaCount')).toMatchObject({ value: 2 });
    expect(at(doc, a, 'trainingTaskInputs.workerPoolSpecs[1].machineSpec.acceleratorType')).toMatchObject({ value: 'NVIDIA_TESLA_T4' });
    expect(at(doc, a, 'trainingTaskInputs.workerPoolSpecs[0].containerSpec.imageUri')).toMatchObject({ value: 'europe-docker.pkg.dev/acme-ml/ml/trainer:1.4.2' });
    expect(at(doc, a, 'trainingTaskInputs.workerPoolSpecs[0].diskSpec.bootDiskSizeGb')).toMatchObject({ value: 100 });
    expect(at(doc, a, 'trainingTaskInputs.enableWebAccess')).toMatchObject({ value: true });
    // A function parameter is unknown, never absent.
    expect(at(doc, a, 'trainingTaskInputs.serviceAccount')).toMatchObject({ type: 'symbolic' });
    expect(at(doc, a, 'encryptionSpec')).toBeUndefined();
    // The SDK's defaults for the deployment.
    expect(at(doc, 'train.deploy', 'dedicatedResources.minReplicaCount')).toMatchObject({ value: 1 });
    expect(at(doc, 'train.deploy', 'dedicatedResources.maxReplicaCount')).toMatchObject({ value: 1 });
  });

  it('reports each finding on the line where the argument is or would be written', () => {
    expect(findings(TRAINING)).toEqual([
      'vertex-deployed-model-min-replicas@19',
      'vertex-endpoint-cmek@19',
      'vertex-endpoint-monitoring-job@19',
      'vertex-endpoint-private@19',
      'vertex-endpoint-request-logging@19',
      'vertex-job-cmek@6',
      'vertex-job-private-network@11',
      'vertex-service-account@19',
      'vertex-serving-image-pinned@9',
      'vertex-training-timeout@11',
      'vertex-training-web-access@17',
    ]);
  });

  it('resolves the aliases of the SDK', () => {
    const body = (ref: string) => `    job = ${ref}(display_name="x", worker_pool_specs=[{"machine_spec": {"machine_type": "n1-standard-4"}, "replica_count": 1, "container_spec": {"image_uri": "img:1"}}])\n    job.run(timeout=60)\n`;
    for (const [imports, ref] of [
      ['from google.cloud import aiplatform as aip', 'aip.CustomJob'],
      ['import google.cloud.aiplatform as aiplatform', 'aiplatform.CustomJob'],
      ['import google.cloud.aiplatform', 'google.cloud.aiplatform.CustomJob'],
      ['from google.cloud.aiplatform import CustomJob', 'CustomJob'],
      ['from google.cloud.aiplatform import CustomJob as CJ', 'CJ'],
      ['from google.cloud.aiplatform import jobs', 'jobs.CustomJob'],
    ]) {
      const doc = read(`${imports}\n\ndef train():\n${body(ref!)}`);
      expect(doc.targets.map((t) => t.address), imports).toEqual(['train.CustomJob']);
      // Dict keys of a worker pool spec are written camelCase, as the REST resource has them.
      expect(at(doc, 'train.CustomJob', 'jobSpec.workerPoolSpecs[0].machineSpec.machineType'), imports).toMatchObject({ value: 'n1-standard-4' });
      expect(at(doc, 'train.CustomJob', 'jobSpec.scheduling.timeout'), imports).toMatchObject({ value: '60s' });
    }
    // A call of another library with the same name is not Vertex AI.
    expect(classify('training/train.py', 'from google.cloud import aiplatform\nfrom mylib import CustomJob\nCustomJob(display_name="x").run()\n')).toMatchObject({ type: 'none' });
  });

  it('aiplatform.init of the module is the fallback for the key, network and service account', () => {
    const text = `from google.cloud import aiplatform

aiplatform.init(
    project="acme-ml",
    encryption_spec_key_name="projects/acme-ml/locations/europe-west4/keyRings/ml/cryptoKeys/k",
    network="projects/1/global/networks/ml",
    service_account="trainer@acme-ml.iam.gserviceaccount.com",
)

def train():
    job = aiplatform.CustomJob.from_local_script(display_name="x", script_path="t.py", container_uri="europe-docker.pkg.dev/vertex-ai/training/tf-cpu.2-12.py310:2-12")
    job.run(timeout=3600)
`;
    const doc = read(text);
    const a = 'train.CustomJob.from_local_script';
    expect(at(doc, a, 'encryptionSpec.kmsKeyName')).toMatchObject({ value: 'projects/acme-ml/locations/europe-west4/keyRings/ml/cryptoKeys/k' });
    expect(at(doc, a, 'jobSpec.network')).toMatchObject({ value: 'projects/1/global/networks/ml' });
    expect(at(doc, a, 'jobSpec.serviceAccount')).toMatchObject({ value: 'trainer@acme-ml.iam.gserviceaccount.com' });
    // A prebuilt Vertex AI image runs the script as a Python package.
    expect(at(doc, a, 'jobSpec.workerPoolSpecs[0].pythonPackageSpec.executorImageUri')).toMatchObject({ value: 'europe-docker.pkg.dev/vertex-ai/training/tf-cpu.2-12.py310:2-12' });
    expect(findings(text)).toEqual([]);
    // Without the init, the same job lacks all three.
    expect(findings(text.replace(/aiplatform\.init\([^)]*\)/s, ''))).toEqual(['vertex-job-cmek@6', 'vertex-job-private-network@7', 'vertex-service-account@7']);
    // An init with **kwargs may set any of them: unknown, no finding.
    expect(findings(text.replace(/aiplatform\.init\([^)]*\)/s, 'aiplatform.init(**settings)'))).toEqual([]);
    // An init that names the Compute Engine default account is the default account.
    expect(findings(text.replace('trainer@acme-ml.iam', '123-compute@developer'))).toEqual(['vertex-service-account@7']);
  });

  it('**kwargs, a run this module does not show and parameters are unknown, never absent', () => {
    const kwargs = read(`from google.cloud import aiplatform\n\ndef train(**kw):\n    aiplatform.CustomJob(**kw).run()\n`);
    expect(kwargs.targets[0]!.node).toMatchObject({ type: 'symbolic' });
    expect(findings(`from google.cloud import aiplatform\n\ndef train(**kw):\n    aiplatform.CustomJob(**kw).run()\n`)).toEqual([]);
    // Run arguments given with ** are unknown; what the constructor lacks is still missing.
    expect(findings(`from google.cloud import aiplatform\n\ndef train(args):\n    job = aiplatform.CustomContainerTrainingJob(display_name="x", container_uri="img:1")\n    job.submit(**args)\n`)).toEqual(['vertex-job-cmek@4']);
    // A job this module builds but does not run: the run's settings are unknown.
    const returned = `from google.cloud import aiplatform\n\ndef make():\n    return aiplatform.CustomContainerTrainingJob(display_name="x", container_uri="img:1")\n`;
    expect(at(read(returned), 'make.CustomContainerTrainingJob', 'trainingTaskInputs.serviceAccount')).toMatchObject({ type: 'symbolic' });
    expect(findings(returned)).toEqual(['vertex-job-cmek@4']);
    // A parameter and an environment variable are unknown values.
    expect(findings(`import os\nfrom google.cloud import aiplatform\n\ndef deploy(model_id, endpoint, n):\n    model = aiplatform.Model(model_id)\n    model.deploy(endpoint=endpoint, min_replica_count=n, service_account=os.environ["SA"])\n`)).toEqual([
      'vertex-endpoint-monitoring-job@6',
    ]);
  });

  it('pipeline jobs, endpoints, tuning jobs and monitoring jobs', () => {
    const text = `from google.cloud import aiplatform
from google.cloud.aiplatform import hyperparameter_tuning as hpt

KEY = "projects/p/locations/l/keyRings/r/cryptoKeys/k"

def run():
    pj = aiplatform.PipelineJob(display_name="p", template_path="p.yaml", enable_caching=False)
    pj.submit(network="projects/1/global/networks/ml")
    endpoint = aiplatform.PrivateEndpoint.create(display_name="e", network="projects/1/global/networks/ml", encryption_spec_key_name=KEY)
    custom = aiplatform.CustomJob(display_name="t", worker_pool_specs=[{"container_spec": {"image_uri": "img:latest"}}])
    hp = aiplatform.HyperparameterTuningJob(display_name="hp", custom_job=custom, metric_spec={"auc": "maximize"}, parameter_spec={"lr": hpt.DoubleParameterSpec(min=0.001, max=0.1, scale="log")}, max_trial_count=8, parallel_trial_count=2, encryption_spec_key_name=KEY)
    hp.run(timeout=600, service_account="t@p.iam.gserviceaccount.com")
    aiplatform.ModelDeploymentMonitoringJob.create(display_name="m", endpoint=endpoint, encryption_spec_key_name=KEY)
`;
    const doc = read(text);
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([
      ['PipelineJob', 'run.PipelineJob'],
      ['Endpoint', 'run.PrivateEndpoint.create'],
      ['HyperparameterTuningJob', 'run.HyperparameterTuningJob'],
      ['ModelDeploymentMonitoringJob', 'run.ModelDeploymentMonitoringJob.create'],
    ]);
    // The custom job is the tuning job's trial spec, with the tuning job's run.
    expect(at(doc, 'run.HyperparameterTuningJob', 'trialJobSpec.workerPoolSpecs[0].containerSpec.imageUri')).toMatchObject({ value: 'img:latest' });
    expect(at(doc, 'run.HyperparameterTuningJob', 'trialJobSpec.scheduling.timeout')).toMatchObject({ value: '600s' });
    expect(findings(text)).toEqual([
      'vertex-endpoint-request-logging@9',
      'vertex-job-cmek@7',
      'vertex-job-private-network@12',
      'vertex-service-account@8',
      'vertex-training-image-pinned@10',
    ]);
  });

  it('a file with only constructs it does not read is no artifact, naming them; others are partly read', () => {
    const automl = `from google.cloud import aiplatform\njob = aiplatform.AutoMLTabularTrainingJob(display_name="x", optimization_prediction_type="classification")\n`;
    expect(classify('training/automl.py', automl)).toMatchObject({ type: 'none', unread: expect.stringContaining('AutoMLTabularTrainingJob') });
    const mixed = read(`${automl}endpoint = aiplatform.Endpoint.create(display_name="e")\n`);
    expect(mixed.targets.map((t) => t.address)).toEqual(['<module>.Endpoint.create']);
    expect(mixed.meta?.['unread']).toContain('AutoMLTabularTrainingJob');
  });

  it('reads notebooks, with findings on the lines of the notebook file', () => {
    const cell = (lines: string[]) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: lines });
    const nb = JSON.stringify(
      {
        cells: [
          cell(['%pip install google-cloud-aiplatform\n', 'from google.cloud import aiplatform\n', 'aiplatform.init(project="p")']),
          { cell_type: 'markdown', metadata: {}, source: ['# Deploy'] },
          cell(['model = aiplatform.Model("projects/p/locations/l/models/1")\n', 'endpoint = model.deploy(\n', '    machine_type="n1-standard-4",\n', '    min_replica_count=1,\n', ')']),
        ],
        metadata: {},
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );
    const lines = nb.split('\n');
    const deployLine = lines.findIndex((l) => l.includes('model.deploy(')) + 1;
    const minLine = lines.findIndex((l) => l.includes('min_replica_count=1')) + 1;
    expect(findings(nb, 'notebooks/deploy.ipynb')).toEqual(
      [
        `vertex-deployed-model-min-replicas@${minLine}`,
        `vertex-endpoint-cmek@${deployLine}`,
        `vertex-endpoint-monitoring-job@${deployLine}`,
        `vertex-endpoint-private@${deployLine}`,
        `vertex-endpoint-request-logging@${deployLine}`,
        `vertex-service-account@${deployLine}`,
      ].sort(),
    );
  });

  it('a monitoring job found nowhere is unknown when the reviewer could not read the whole repository', () => {
    const text = `from google.cloud import aiplatform\n\ndef deploy(endpoint):\n    aiplatform.Model("m").deploy(endpoint=endpoint, min_replica_count=2, service_account="s@p.iam.gserviceaccount.com")\n`;
    expect(findings(text)).toEqual(['vertex-endpoint-monitoring-job@4']);
    expect(findings(text, 'serving/deploy.py', { contextComplete: false })).toEqual([]);
    // One in another changed file of the review counts.
    const r = review(
      changeSetOf([
        { path: 'serving/deploy.py', status: 'added', head: text } as never,
        { path: 'serving/monitor.py', status: 'added', head: `from google.cloud import aiplatform\naiplatform.ModelDeploymentMonitoringJob.create(display_name="m", endpoint="e", encryption_spec_key_name="k")\n` } as never,
      ]),
    );
    expect(r.findings.filter((f) => f.rule === 'vertex-endpoint-monitoring-job')).toEqual([]);
  });

  it('never throws or hangs on random or mangled Python', () => {
    const pieces = [
      'from google.cloud import aiplatform as aip\n',
      'import google.cloud.aiplatform\n',
      'aip.init(network=N, **kw)\n',
      'job = aip.CustomJob(display_name="x", worker_pool_specs=[{"a_b": {"c_d": 1}}])\n',
      'job.run(timeout=t)\n',
      'model = job.run()\n',
      'model.deploy(*a)\n',
      'm = aip.Model(x)\n',
      'm.deploy(endpoint=None, min_replica_count=m)\n',
      'e = aip.Endpoint.create("e", **kw)\n',
      'e.deploy(m, "d", 0, {"0": 100}, "n1", 2)\n',
      'h = aip.HyperparameterTuningJob(custom_job=h)\n',
      'h.run()\n',
      'x = "{}:{}".format(x, "{}")\n',
      'def f(job):\n    job.submit(**job)\n',
      'job = job.run(job)\n',
      'google.cloud.aiplatform.PipelineJob(template_path=x).submit()\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.string({ maxLength: 20 }), (parts, noise) => {
        const text = `from google.cloud import aiplatform\n${parts.join('')}${noise}`;
        const c = classify('training/x.py', text);
        expect(['document', 'error', 'none']).toContain(c.type);
        if (c.type === 'document') for (const t of c.document.targets) expect(t.startLine).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

