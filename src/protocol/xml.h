// A small streaming XML writer for Query-protocol responses: elements, text, escaping.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace portcullis::protocol {

class XmlWriter {
 public:
  // Opens an element; a non-empty xmlns becomes its default namespace.
  void open(std::string_view tag, std::string_view xmlns = {});
  void close();
  void element(std::string_view tag, std::string_view text);
  void text(std::string_view text);  // inside the element opened last
  std::string take();

 private:
  std::string out_;
  std::vector<std::string> stack_;
};

void append_xml_escaped(std::string& out, std::string_view text);

}  // namespace portcullis::protocol
