locals {
  names = module.naming.names
  tags  = module.naming.tags
}
