# Copyright (c) scsi.virt contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Sphinx configuration of the scsi.virt docs site (scripts/docs.sh builds it with antsibull-docs).

project = "scsi.virt"
copyright = "scsi.virt contributors"
title = html_short_title = "scsi.virt collection documentation"
extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_modindex = False
html_use_index = False
html_copy_source = False
# Offline build: no intersphinx inventories. The two ansible-core labels the generated pages use
# resolve to ansible_core_links.rst, which links to the Ansible documentation.
default_role = "any"
nitpicky = True
