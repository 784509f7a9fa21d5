"""The churn model's preprocessing and training jobs, built with the SageMaker Python SDK."""
from sagemaker.estimator import Estimator
from sagemaker.network import NetworkConfig
from sagemaker.processing import ScriptProcessor

ROLE = "arn:aws:iam::111122223333:role/churn-sagemaker"
KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
SUBNETS = ["subnet-0a1b2c3d4e5f60718"]
SECURITY_GROUPS = ["sg-0a1b2c3d4e5f60718"]
IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn-train@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def jobs(session):
    network = NetworkConfig(
        enable_network_isolation=True,
        subnets=SUBNETS,
        security_group_ids=SECURITY_GROUPS,
        encrypt_inter_container_traffic=True,
    )
    preprocess = ScriptProcessor(
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
    train = Estimator(
        image_uri=IMAGE,
        role=ROLE,
        instance_type="ml.m5.2xlarge",
        instance_count=1,
        volume_kms_key=KMS_KEY,
        output_kms_key=KMS_KEY,
        subnets=SUBNETS,
        security_group_ids=SECURITY_GROUPS,
        enable_network_isolation=True,
        use_spot_instances=True,
        max_run=3600,
        max_wait=7200,
        checkpoint_s3_uri="s3://churn-ml-artifacts/checkpoints",
        sagemaker_session=session,
    )
    return preprocess, train
