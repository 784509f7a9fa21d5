variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Deployment environment (staging or production)."
  type        = string
  default     = "production"
}

variable "model_version" {
  description = "Model package version to serve, as registered by the training pipeline."
  type        = string
}

variable "image_digest" {
  description = "Digest of the inference image in ECR (sha256:...)."
  type        = string
}

variable "vpc_id" {
  description = "VPC the endpoint's network interfaces live in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the endpoint (at least two Availability Zones)."
  type        = list(string)
}

variable "model_monitor_image_uri" {
  description = "Model Monitor analyzer image for the Region."
  type        = string
  default     = "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
}
