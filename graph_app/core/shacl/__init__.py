"""SHACL compiled to SPARQL: the shapes are read into a small model (`model`), each shape
becomes SPARQL queries that return its violations (`compiler`), and the queries run where
the data is, in the store (`engine`). Shapes the compiler does not support are validated
by pySHACL on an extracted subgraph (`fallback`). `affected` finds which focus nodes a
change can affect, so that a load validates only those.
"""
