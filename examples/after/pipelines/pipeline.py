"""The churn model's SageMaker pipeline: preprocess, check the data, train, evaluate, and register
the model for approval when it is good enough. Built with the SageMaker Python SDK."""
from sagemaker.estimator import Estimator
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.network import NetworkConfig
from sagemaker.processing import ScriptProcessor
from sagemaker.workflow.check_job_config import CheckJobConfig
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import JsonGet
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.quality_check_step import DataQualityCheckConfig, QualityCheckStep
from sagemaker.workflow.retry import SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy, StepExceptionTypeEnum, StepRetryPolicy
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

ROLE = "arn:aws:iam::111122223333:role/churn-sagemaker"
KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
SUBNETS = ["subnet-0a1b2c3d4e5f60718"]
SECURITY_GROUPS = ["sg-0a1b2c3d4e5f60718"]
IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn-train@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BUCKET = "s3://churn-ml-artifacts"
RETRIES = [
    StepRetryPolicy(exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING], max_attempts=3),
    SageMakerJobStepRetryPolicy(exception_types=[SageMakerJobExceptionTypeEnum.CAPACITY_ERROR], max_attempts=5),
]


def get_pipeline(session):
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    network = NetworkConfig(
        enable_network_isolation=True,
        subnets=SUBNETS,
        security_group_ids=SECURITY_GROUPS,
        encrypt_inter_container_traffic=True,
    )
    processor = ScriptProcessor(
        role=ROLE,
        image_uri=IMAGE,
        command=["python3"],
        instance_type="ml.m5.xlarge",
        instance_count=1,
        volume_kms_key=KMS_KEY,
        output_kms_key=KMS_KEY,
        network_config=network,
        max_runtime_in_seconds=3600,
        sagemaker_session=session,
    )
    preprocess = ProcessingStep(name="Preprocess", step_args=processor.run(code="preprocess.py"), retry_policies=RETRIES)
    data_quality = QualityCheckStep(
        name="DataQuality",
        quality_check_config=DataQualityCheckConfig(baseline_dataset=f"{BUCKET}/train/", output_s3_uri=f"{BUCKET}/quality/"),
        check_job_config=CheckJobConfig(role=ROLE, volume_kms_key=KMS_KEY, output_kms_key=KMS_KEY, network_config=network, sagemaker_session=session),
        model_package_group_name="churn",
        depends_on=[preprocess],
    )
    estimator = Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_type="ml.m5.2xlarge",
        instance_count=1,
        use_spot_instances=True,
        max_run=3600,
        max_wait=7200,
        checkpoint_s3_uri=f"{BUCKET}/checkpoints",
        sagemaker_session=session,
    )
    train = TrainingStep(name="Train", step_args=estimator.fit({"train": f"{BUCKET}/train/"}), retry_policies=RETRIES, depends_on=[data_quality])
    evaluate = ProcessingStep(name="Evaluate", step_args=processor.run(code="evaluate.py"), retry_policies=RETRIES, depends_on=[train])
    register = RegisterModel(
        name="Churn",
        estimator=estimator,
        content_types=["text/csv"],
        response_types=["text/csv"],
        model_package_group_name="churn",
        approval_status=approval,
        model_metrics=ModelMetrics(model_statistics=MetricsSource(content_type="application/json", s3_uri=f"{BUCKET}/evaluation.json")),
    )
    too_weak = FailStep(name="TooWeak", error_message="AUC below 0.8: the model is not registered")
    gate = ConditionStep(
        name="GoodEnough",
        conditions=[ConditionGreaterThanOrEqualTo(left=JsonGet(step_name="Evaluate", property_file="evaluation", json_path="auc"), right=0.8)],
        if_steps=[register],
        else_steps=[too_weak],
    )
    return Pipeline(name="churn", parameters=[approval], steps=[preprocess, data_quality, train, evaluate, gate], sagemaker_session=session)
