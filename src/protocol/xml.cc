#include "protocol/xml.h"

namespace portcullis::protocol {

void append_xml_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out.push_back(c);
    }
  }
}

void XmlWriter::open(std::string_view tag, std::string_view xmlns) {
  out_ += '<';
  out_ += tag;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    append_xml_escaped(out_, xmlns);
    out_ += '"';
  }
  out_ += '>';
  stack_.emplace_back(tag);
}

void XmlWriter::close() {
  out_ += "</";
  out_ += stack_.back();
  out_ += '>';
  stack_.pop_back();
}

void XmlWriter::element(std::string_view tag, std::string_view text) {
  out_ += '<';
  out_ += tag;
  out_ += '>';
  append_xml_escaped(out_, text);
  out_ += "</";
  out_ += tag;
  out_ += '>';
}

void XmlWriter::text(std::string_view text) { append_xml_escaped(out_, text); }

std::string XmlWriter::take() {
  while (!stack_.empty()) close();
  return std::move(out_);
}

}  // namespace portcullis::protocol
