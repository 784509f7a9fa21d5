resource "aws_sagemaker_model" "churn" {
  name                     = "${local.name}-${var.model_version}"
  execution_role_arn       = aws_iam_role.sagemaker_execution.arn
  enable_network_isolation = true

  primary_container {
    image          = "${aws_ecr_repository.inference.repository_url}@${var.image_digest}"
    model_data_url = "s3://${aws_s3_bucket.artifacts.bucket}/models/${var.model_version}/model.tar.gz"

    environment = {
      SAGEMAKER_PROGRAM              = "inference.py"
      SAGEMAKER_CONTAINER_LOG_LEVEL  = "20"
      SAGEMAKER_MODEL_SERVER_TIMEOUT = "60"
      SAGEMAKER_MODEL_SERVER_WORKERS = "2"
    }
  }

  vpc_config {
    subnets            = var.private_subnet_ids
    security_group_ids = [aws_security_group.endpoint.id]
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name        = "${local.name}-${var.model_version}"
  kms_key_arn = aws_kms_key.ml.arn

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.churn.name
    instance_type          = "ml.m5.xlarge"
    initial_instance_count = 2
    initial_variant_weight = 1
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 20
    destination_s3_uri          = "s3://${aws_s3_bucket.artifacts.bucket}/data-capture"
    kms_key_id                  = aws_kms_key.ml.arn

    capture_options {
      capture_mode = "Input"
    }

    capture_options {
      capture_mode = "Output"
    }

    capture_content_type_header {
      json_content_types = ["application/json"]
      csv_content_types  = ["text/csv"]
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "churn" {
  name                 = local.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name

  deployment_config {
    blue_green_update_policy {
      traffic_routing_configuration {
        type                     = "LINEAR"
        wait_interval_in_seconds = 300

        linear_step_size {
          type  = "CAPACITY_PERCENT"
          value = 50
        }
      }
      maximum_execution_timeout_in_seconds = 3600
      termination_wait_in_seconds          = 600
    }

    auto_rollback_configuration {
      alarms {
        alarm_name = aws_cloudwatch_metric_alarm.invocation_5xx.alarm_name
      }
    }
  }
}
