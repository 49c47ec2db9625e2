"""ShortScience: short, plain-language summaries of research papers, voted and discussed."""
