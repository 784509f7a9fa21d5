output "endpoint_name" {
  description = "Name of the churn model endpoint."
  value       = aws_sagemaker_endpoint.churn.name
}

output "artifact_bucket" {
  description = "Bucket of model artifacts and captured inference data."
  value       = aws_s3_bucket.artifacts.bucket
}
