terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }

  backend "s3" {
    bucket         = "acme-analytics-terraform-state"
    key            = "churn-model/production.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name       = "churn-model"
  account_id = data.aws_caller_identity.current.account_id
  tags = {
    Project     = "churn-model"
    Environment = var.environment
    CostCenter  = "retention-analytics"
    Owner       = "ml-platform"
  }
}
