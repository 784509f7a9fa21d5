resource "aws_cloudwatch_metric_alarm" "invocation_5xx" {
  alarm_name          = "${local.name}-invocation-5xx"
  alarm_description   = "Model container errors on the churn endpoint; rolls back a deployment in progress"
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation5XXErrors"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    EndpointName = local.name
    VariantName  = "AllTraffic"
  }
}

resource "aws_sagemaker_data_quality_job_definition" "churn" {
  name     = "${local.name}-data-quality"
  role_arn = aws_iam_role.sagemaker_execution.arn

  data_quality_app_specification {
    image_uri = var.model_monitor_image_uri
  }

  data_quality_baseline_config {
    constraints_resource {
      s3_uri = "s3://${aws_s3_bucket.artifacts.bucket}/monitoring/baseline/constraints.json"
    }
    statistics_resource {
      s3_uri = "s3://${aws_s3_bucket.artifacts.bucket}/monitoring/baseline/statistics.json"
    }
  }

  data_quality_job_input {
    endpoint_input {
      endpoint_name = aws_sagemaker_endpoint.churn.name
      local_path    = "/opt/ml/processing/input/endpoint"
    }
  }

  data_quality_job_output_config {
    kms_key_id = aws_kms_key.ml.arn

    monitoring_outputs {
      s3_output {
        s3_uri     = "s3://${aws_s3_bucket.artifacts.bucket}/monitoring/reports"
        local_path = "/opt/ml/processing/output"
      }
    }
  }

  job_resources {
    cluster_config {
      instance_count    = 1
      instance_type     = "ml.m5.large"
      volume_size_in_gb = 20
      volume_kms_key_id = aws_kms_key.ml.arn
    }
  }

  network_config {
    enable_network_isolation = true

    vpc_config {
      subnets            = var.private_subnet_ids
      security_group_ids = [aws_security_group.endpoint.id]
    }
  }

  stopping_condition {
    max_runtime_in_seconds = 3600
  }
}

resource "aws_sagemaker_monitoring_schedule" "churn" {
  name = "${local.name}-data-quality-hourly"

  monitoring_schedule_config {
    monitoring_job_definition_name = aws_sagemaker_data_quality_job_definition.churn.name
    monitoring_type                = "DataQuality"

    schedule_config {
      schedule_expression = "cron(0 * ? * * *)"
    }
  }
}
