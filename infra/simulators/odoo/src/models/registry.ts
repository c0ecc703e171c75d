import type { ModelDef } from '../orm/model-def.js';
import { accountMove, accountMoveLine, accountPaymentRegister } from './account-move.js';
import { accountMoveReversal } from './account-move-reversal.js';
import { accountTax, productCategory, resCompany, resCountry, resCurrency, resUsers, uomUom } from './base-models.js';
import { productPricelist, productPricelistItem, productProduct } from './product.js';
import { productSupplierinfo } from './product-supplierinfo.js';
import { purchaseOrder, purchaseOrderLine } from './purchase-order.js';
import { resPartner } from './res-partner.js';
import { saleAdvancePaymentInv, saleOrder, saleOrderLine } from './sale-order.js';
import { deliveryCarrier, stockLocation, stockMove, stockPicking, stockPickingType, stockQuant, stockWarehouse } from './stock.js';
import { stockLot, stockMoveLine } from './stock-move-line.js';
import { stockBackorderConfirmation, stockBackorderConfirmationLine, stockReturnPicking, stockReturnPickingLine } from './stock-wizards.js';

/** Every model the simulator serves. */
export function allModels(): ModelDef[] {
  return [
    resUsers,
    resCompany,
    resCurrency,
    resCountry,
    uomUom,
    accountTax,
    productCategory,
    resPartner,
    productProduct,
    productPricelist,
    productPricelistItem,
    productSupplierinfo,
    stockWarehouse,
    stockLocation,
    stockPickingType,
    stockQuant,
    stockPicking,
    stockMove,
    stockMoveLine,
    stockLot,
    deliveryCarrier,
    stockBackorderConfirmation,
    stockBackorderConfirmationLine,
    stockReturnPicking,
    stockReturnPickingLine,
    saleOrder,
    saleOrderLine,
    saleAdvancePaymentInv,
    purchaseOrder,
    purchaseOrderLine,
    accountMove,
    accountMoveLine,
    accountPaymentRegister,
    accountMoveReversal,
  ];
}
