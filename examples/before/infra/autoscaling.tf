resource "aws_appautoscaling_target" "churn" {
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.churn.name}/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 2
  max_capacity       = 6
}

resource "aws_appautoscaling_policy" "churn_invocations" {
  name               = "${local.name}-invocations-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.churn.service_namespace
  resource_id        = aws_appautoscaling_target.churn.resource_id
  scalable_dimension = aws_appautoscaling_target.churn.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 700
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}
