resource "aws_security_group" "endpoint" {
  name        = "${local.name}-endpoint"
  description = "SageMaker endpoint network interfaces: HTTPS out to VPC endpoints only"
  vpc_id      = var.vpc_id

  egress {
    description = "HTTPS to VPC interface endpoints"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.40.0.0/16"]
  }
}
